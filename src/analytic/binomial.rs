//! Mixtures of binomial laws: the default count of n conditionally
//! independent loans, accumulated over the nodes of a factor quadrature.

/// ln C(n, k) for k = 0..=n, for one pool size.
#[derive(Debug, Clone)]
pub(crate) struct BinomialMixture {
    ln_choose: Vec<f64>,
}

impl BinomialMixture {
    /// Builds ln C(n, k) by the recurrence C(n, k+1) = C(n, k)(n-k)/(k+1):
    /// O(n), and the rounding errors of the n logarithms add to about 1e-13
    /// even for n = 10^5, where lgamma's absolute error would be larger.
    pub(crate) fn new(n: usize) -> Self {
        let mut ln_choose = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        ln_choose.push(acc);
        for k in 0..n {
            acc += ((n - k) as f64 / (k + 1) as f64).ln();
            ln_choose.push(acc);
        }
        Self { ln_choose }
    }

    /// Adds weight * P(K = k) for K ~ Binomial(n, q) to `acc[k]`. Both q
    /// and 1 - q are passed so that neither is formed by cancellation.
    pub(crate) fn add(&self, q: f64, q_complement: f64, weight: f64, acc: &mut [f64]) {
        let n = self.ln_choose.len() - 1;
        if q <= 0.0 {
            acc[0] += weight;
            return;
        }
        if q_complement <= 0.0 {
            acc[n] += weight;
            return;
        }
        let (lq, lc) = (q.ln(), q_complement.ln());
        for (k, (a, lnc)) in acc.iter_mut().zip(&self.ln_choose).enumerate() {
            *a += weight * (lnc + k as f64 * lq + (n - k) as f64 * lc).exp();
        }
    }

    /// The zero vector of length n + 1 to accumulate into.
    pub(crate) fn zeros(&self) -> Vec<f64> {
        vec![0.0; self.ln_choose.len()]
    }
}
