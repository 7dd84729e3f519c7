//! The integration tests, one binary: a module per area (a single binary
//! links once, where one binary per file linked thirty times).

mod analytic_finite_pool;
mod analytic_lhp;
mod analytic_normal;
mod analytic_quadrature;
mod analytic_references;
mod analytic_student_t;
mod cli;
mod cli_analytic;
mod cli_batch;
mod cli_rating_table;
mod cli_scenarios;
mod cli_size;
mod cli_sweep;
mod common;
mod default_counts;
mod docs_outputs;
mod hand_checked;
mod loss_measures;
mod monotonicity;
mod pack_cash;
mod pack_outputs;
mod properties;
mod report_html;
mod reproducibility;
mod scenarios;
mod sizing;
mod source_layout;
mod spec_errors;
mod spec_load;
mod validation_ladder;
mod validation_references;
mod waterfall_guarantee;
mod waterfall_outputs;
mod waterfall_spec;
mod waterfall_steps;
