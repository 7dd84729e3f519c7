//! report.html for the flagship facility (alone and with every scenario)
//! opens in headless Chromium from disk with no console messages, has every
//! section with its heading, and its screenshot shows the charts.
//!
//! Chromium is Debian's `chromium` package (installed by .ci/run), or the
//! binary named by `BLENDSIM_CHROMIUM`. Without it the test is skipped with
//! a message, unless `CI` or `BLENDSIM_REQUIRE_CHROMIUM` is set, where a
//! missing browser is a failure.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

const FLAGSHIP: &str = "portfolios/us-rok-critical-minerals/facility.toml";

/// Tall enough for the whole page, charts included.
const WINDOW: &str = "--window-size=1280,4200";

/// The browser to use, if any.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("BLENDSIM_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium, or `None` after saying why the test is skipped. Panics where
/// the browser is required.
fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        let required = ["CI", "BLENDSIM_REQUIRE_CHROMIUM"]
            .iter()
            .any(|v| std::env::var_os(v).is_some());
        assert!(
            !required,
            "chromium is required here (CI or BLENDSIM_REQUIRE_CHROMIUM is set) but was not found"
        );
        eprintln!(
            "SKIPPED: chromium not found on PATH (apt-get install chromium, or set \
             BLENDSIM_CHROMIUM); report.html was not rendered"
        );
    }
    found
}

/// Loads `page` in headless Chromium, saving a screenshot to `png`;
/// returns the console messages Chromium logged.
fn render(browser: &Path, page: &Path, png: &Path) -> Vec<String> {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            WINDOW,
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(String::from)
        .collect()
}

/// Pixels of an RGB(A) PNG, as RGB triples.
fn pixels(png: &Path) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::BufReader::new(fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "screenshot is not RGB: {:?}",
        info.color_type
    );
    buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// Pixels within a small distance of `colour`.
fn count_near(pixels: &[[u8; 3]], colour: [u8; 3]) -> usize {
    pixels
        .iter()
        .filter(|p| p.iter().zip(colour).all(|(&a, b)| a.abs_diff(b) <= 24))
        .count()
}

/// Runs the flagship into a temporary folder with `extra` arguments;
/// returns the folder (kept alive by the returned guard).
fn run_flagship(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", FLAGSHIP, "--paths", "5000", "--quiet", "--out"])
        .arg(&out)
        .args(extra)
        .status()
        .expect("blendsim runs")
        .success()
        .then_some(())
        .expect("blendsim succeeds");
    (dir, out)
}

/// Checks that `page` fetches nothing, has every section named, renders
/// in Chromium without console messages, and shows each tranche class's
/// colour over at least `min_pixels` pixels.
fn check_page(browser: &Path, page: &Path, sections: &[&str], charts: usize, min_pixels: usize) {
    let html = fs::read_to_string(page).unwrap();
    for fetch in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(
            !html.contains(fetch),
            "{} is not self-contained: {fetch}",
            page.display()
        );
    }
    for section in sections {
        let id = format!("<section id=\"{section}\">");
        assert!(
            html.contains(&id),
            "{} has no {section} section",
            page.display()
        );
        let start = html.find(&id).unwrap();
        let end = start + html[start..].find("</section>").unwrap();
        assert!(
            html[start..end].contains("<h2>"),
            "the {section} section has no heading"
        );
    }
    assert_eq!(html.matches("<svg").count(), charts, "inline charts");
    // Chart text is at least 12 px.
    for size in html.split("font-size=\"").skip(1) {
        let px: f64 = size.split('"').next().unwrap().parse().unwrap();
        assert!(px >= 12.0, "chart text of {px} px");
    }

    let png = page.with_extension("png");
    let console = render(browser, page, &png);
    assert!(console.is_empty(), "console messages: {console:#?}");
    let pixels = pixels(&png);
    let white = count_near(&pixels, [255, 255, 255]);
    assert!(
        white < pixels.len() * 98 / 100,
        "screenshot is blank: {white} of {} pixels white",
        pixels.len()
    );
    // Each tranche class's colour (senior blue, mezzanine orange, first
    // loss red) shows up: the charts were drawn, not just the tables.
    for (name, colour) in [
        ("senior", [31, 119, 180]),
        ("mezzanine", [255, 127, 14]),
        ("first_loss", [214, 39, 40]),
    ] {
        let n = count_near(&pixels, colour);
        assert!(
            n > min_pixels,
            "{name}'s colour covers only {n} pixels of {}",
            page.display()
        );
    }
}

#[test]
fn report_html_renders_in_headless_chromium_with_its_charts() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let (_dir, out) = run_flagship(&[]);
    let sections = [
        "summary",
        "tranches",
        "facility",
        "assumptions",
        "coverage",
        "charts",
        "contributions",
        "methodology",
    ];
    check_page(&browser, &out.join("report.html"), &sections, 6, 300);
}

#[test]
fn combined_scenario_report_renders_with_its_chart() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let (_dir, out) = run_flagship(&["--scenario", "all"]);
    let sections = ["scenarios", "side-by-side", "public", "scenario-chart"];
    check_page(&browser, &out.join("report.html"), &sections, 1, 300);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // Every scenario is a column and links to its own memo.
    for scenario in ["base", "lithium_price_crash"] {
        assert!(html.contains(&format!("<th>{scenario}</th>")), "{scenario}");
        assert!(html.contains(&format!("href=\"{scenario}/report.html\"")));
        assert!(out.join(scenario).join("report.html").is_file());
    }
}

/// The console check can fail: a page that logs an error is caught (so a
/// change in Chromium's log format cannot make the test above vacuous).
#[test]
fn console_errors_are_detected() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error('boom');</script></body></html>",
    )
    .unwrap();
    let console = render(&browser, &page, &dir.path().join("bad.png"));
    assert!(
        console.iter().any(|line| line.contains("boom")),
        "{console:?}"
    );
}
