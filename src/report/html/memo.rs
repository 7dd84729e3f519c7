//! The page's first screen: what the facility is, one sentence per
//! tranche, and what the public money buys and risks.

use std::fmt::Write as _;

use crate::aggregate::{
    FacilityMetrics, ImpliedRating, PUBLIC_TOTAL, PartySummary, TrancheSummary,
};
use crate::format::{self, with_se};
use crate::spec::TrancheClass;

use super::super::RunReport;
use super::escape;

/// The "In brief" section.
pub fn in_brief(html: &mut String, run: &RunReport<'_>) {
    html.push_str("<section id=\"summary\"><h2>In brief</h2>\n");
    let _ = writeln!(html, "<p>{}</p>\n<ul>", lead(run));
    for (row, rating) in run.summary.iter().zip(&run.pack.ratings) {
        let _ = writeln!(html, "<li>{}</li>", tranche_sentence(run, row, rating));
    }
    html.push_str("</ul>\n");
    let _ = writeln!(
        html,
        "<p>{}</p>",
        public_sentence(
            &run.pack.facility,
            run.pack.parties.iter().find(|p| p.party == PUBLIC_TOTAL),
            &run.model.currency.code
        )
    );
    html.push_str("</section>\n");
}

/// What was simulated, in one sentence.
fn lead(run: &RunReport<'_>) -> String {
    let pack = run.pack;
    let f = &pack.facility;
    let calendar = &run.model.calendar;
    let scenario = match run.scenario.name.as_str() {
        crate::spec::BASE => String::from("the base case"),
        name => format!("the <b>{}</b> scenario", escape(name)),
    };
    format!(
        "A pool of {loans} loans ({pool}) to projects in {minerals} {mineral_word} and \
         {countries} {country_word}, funded by {tranches} {tranche_word}, simulated in {scenario} \
         over {paths} paths of correlated defaults and recoveries to the legal final date \
         {legal_final}. Losses are principal unpaid at that date, as a share of each tranche's \
         notional; \u{b1} is one Monte Carlo standard error.",
        loans = run.model.pool.loans.len(),
        pool = format::millions(f.pool_notional, &run.model.currency.code),
        minerals = pack.minerals.len(),
        mineral_word = plural(pack.minerals.len(), "mineral", "minerals"),
        countries = pack.countries.len(),
        country_word = plural(pack.countries.len(), "country", "countries"),
        tranches = run.model.liabilities.tranches.len(),
        tranche_word = plural(run.model.liabilities.tranches.len(), "tranche", "tranches"),
        paths = format::count(f.paths as u64),
        legal_final = calendar.date(calendar.periods()),
    )
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// One tranche (or the guarantee) in a sentence: size, expected loss with
/// its standard error, probability of any loss, median IRR and implied
/// rating.
fn tranche_sentence(run: &RunReport<'_>, row: &TrancheSummary, rating: &ImpliedRating) -> String {
    let currency = &run.model.currency;
    let size = format::money(row.notional, currency.minor_digits, &currency.code);
    let rated = format!(
        "implied rating <b>{}</b> ({} {} at a {} horizon)",
        escape(&rating.rating),
        rating.basis.as_str().replace('_', " "),
        format::percent(rating.metric),
        format::years(rating.horizon_years),
    );
    if row.class == TrancheClass::Guarantee {
        return format!(
            "<b>{}</b>, a guarantee capped at {size}: expected payout {} of the cap, \
             paid on {} of paths; {rated}.",
            escape(&row.tranche),
            with_se(row.expected_loss, row.expected_loss_se, format::bps),
            with_se(row.prob_loss, row.prob_loss_se, format::percent),
        );
    }
    let class = row.class.as_str().replace('_', " ");
    let class = match class == row.tranche.replace('_', " ") {
        true => String::new(),
        false => format!("{class}, "),
    };
    // A non-deferrable tranche's missed coupons count as defaults for its
    // rating: say how often one is missed.
    let coupons = match row.prob_interest_shortfall.is_finite() {
        true => format!(
            ", a coupon missed on {} of paths",
            with_se(
                row.prob_interest_shortfall,
                row.prob_interest_shortfall_se,
                format::percent
            )
        ),
        false => String::new(),
    };
    format!(
        "<b>{}</b> ({class}{size}, {}\u{2013}{} of capital): expected loss {}, \
         P(any loss) {}{coupons}, 99th-percentile loss {}, median IRR {}; {rated}.",
        escape(&row.tranche),
        format::percent_with(row.attachment, 1),
        format::percent_with(row.detachment, 1),
        with_se(row.expected_loss, row.expected_loss_se, format::bps),
        with_se(row.prob_loss, row.prob_loss_se, format::percent),
        format::percent(row.loss_p99),
        format::percent(row.irr_p50),
    )
}

/// The public side's headline: what it puts in, what it mobilises and what
/// it costs in present value (the budget office's measure: parties.csv's
/// public row), then its undiscounted principal loss. Undiscounted loss
/// alone ranks a funded first loss (which also earns the excess spread)
/// against an unfunded guarantee the wrong way round.
pub fn public_sentence(f: &FacilityMetrics, public: Option<&PartySummary>, code: &str) -> String {
    if f.public_capital <= 0.0 || f.mobilisation_ratio.is_nan() {
        return "No party, tranche or guarantee is public (<code>public = true</code>), so \
                there is no mobilisation ratio or public cost to report."
            .into();
    }
    let millions = |x: f64| format::millions(x, code);
    let cost = public.map_or_else(String::new, |p| {
        format!(
            " Its PV cost (cash paid out less cash received, discounted at each public \
             party's rate) is {cost} ({share} of its commitment; grant element {grant}).",
            cost = with_se(p.pv_cost.mean, p.pv_cost.se, millions),
            share = format::percent_with(p.pv_cost_share.mean, 1),
            grant = with_se(p.grant_element.mean, p.grant_element.se, format::percent),
        )
    });
    format!(
        "<b>Public money</b>: {public} ({share} of capital) mobilises {ratio} private {code} \
         per public {code} ({private}).{cost} Undiscounted, it expects to lose {loss} of \
         principal ({loss_share} of it); the first loss ({first}) is wiped out on {wiped} of \
         paths.",
        public = millions(f.public_capital),
        share = format::percent_with(f.public_capital / f.total_capital, 1),
        ratio = format::grouped(f.mobilisation_ratio, 2),
        private = millions(f.private_capital),
        loss = with_se(
            f.public_expected_loss.mean,
            f.public_expected_loss.se,
            millions
        ),
        loss_share = format::percent_with(f.public_expected_loss.mean / f.public_capital, 1),
        first = escape(&f.first_loss_tranche),
        wiped = with_se(
            f.prob_first_loss_wiped_out.mean,
            f.prob_first_loss_wiped_out.se,
            format::percent
        ),
    )
}
