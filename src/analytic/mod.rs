//! Analytic (semi-closed-form) credit-portfolio results: the independent
//! cross-check for the Monte Carlo engine.
//!
//! - [`normal`]: accurate Phi, Phi^-1 and bivariate Phi2.
//! - [`quadrature`]: Gauss-Hermite and composite Gauss-Legendre rules for
//!   expectations over a standard normal factor.
//! - [`FinitePool`]: n identical loans, one-factor Gaussian copula, exact
//!   default-count law by conditional binomials integrated over the factor.
//! - [`LargePool`]: the Vasicek large-homogeneous-pool limit in closed form.
//! - [`StudentTPool`]: the finite pool under a one-factor Student-t copula.
//! - [`estimate_facility`]: a homogeneous approximation of a whole facility.
//!
//! Formulas, quadrature orders and sources: `docs/analytic.md`.

mod binomial;
mod error;
mod facility;
mod finite_pool;
mod legendre;
mod lhp;
pub mod normal;
mod pair_classes;
pub mod quadrature;
mod student_t;
mod tranche;

pub use error::AnalyticError;
pub use facility::{
    FacilityEstimate, HomogeneousPool, PairCorrelation, TrancheEstimate, estimate_facility,
};
pub use finite_pool::{FinitePool, LossDistribution};
pub use lhp::LargePool;
pub use pair_classes::{ClassCorrelation, PairClass, class_correlations};

pub use student_t::{MAX_DEGREES_OF_FREEDOM, StudentTPool};
pub use tranche::Tranche;
