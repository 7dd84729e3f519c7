//! report.html for the flagship facility opens in headless Chromium from
//! disk with no console messages, and its screenshot shows the charts.
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

#[test]
fn report_html_renders_in_headless_chromium_with_its_charts() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("blendsim")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", FLAGSHIP, "--paths", "5000", "--quiet", "--out"])
        .arg(&out)
        .status()
        .expect("blendsim runs")
        .success()
        .then_some(())
        .expect("blendsim succeeds");
    let page = out.join("report.html");
    let html = fs::read_to_string(&page).unwrap();
    for fetch in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(
            !html.contains(fetch),
            "report.html is not self-contained: {fetch}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 5, "five inline charts");

    let png = dir.path().join("report.png");
    let console = render(&browser, &page, &png);
    assert!(console.is_empty(), "console messages: {console:#?}");
    let pixels = pixels(&png);
    let white = count_near(&pixels, [255, 255, 255]);
    assert!(
        white < pixels.len() * 98 / 100,
        "screenshot is blank: {white} of {} pixels white",
        pixels.len()
    );
    // Each tranche's line colour (senior blue, mezzanine orange, first-loss
    // red) shows up: the charts were drawn, not just the tables.
    for (name, colour) in [
        ("senior", [31, 119, 180]),
        ("mezzanine", [255, 127, 14]),
        ("first_loss", [214, 39, 40]),
    ] {
        let n = count_near(&pixels, colour);
        assert!(n > 300, "{name}'s chart colour covers only {n} pixels");
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
