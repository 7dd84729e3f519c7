//! report.html for the flagship facility (alone and with every scenario)
//! opens in headless Chromium from disk with no console messages, has every
//! section with its heading, and a screenshot of the whole page shows every
//! section and every chart where Chromium laid it out (not hidden, not
//! empty, not off the page).
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

/// Width of the browser window, in CSS pixels (one pixel each: the device
/// scale factor is forced to 1).
const WIDTH: u32 = 1280;

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

/// Runs headless Chromium on `page` in a window `height` pixels tall with
/// `extra` arguments; returns its output after checking it succeeded.
fn chromium_on(browser: &Path, page: &Path, height: u32, extra: &[String]) -> std::process::Output {
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
            "--force-device-scale-factor=1",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--window-size={WIDTH},{height}"))
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    output
}

/// Loads `page` in headless Chromium in a window `height` pixels tall,
/// saving a screenshot to `png`; returns the console messages Chromium
/// logged.
fn render(browser: &Path, page: &Path, png: &Path, height: u32) -> Vec<String> {
    let output = chromium_on(
        browser,
        page,
        height,
        &[format!("--screenshot={}", png.display())],
    );
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(String::from)
        .collect()
}

/// Where Chromium laid out one section or figure (a figure's drawing: its
/// SVG), in CSS pixels from the page's top left.
#[derive(Debug)]
struct Placed {
    /// `section` or `figure`.
    tag: String,
    /// The section's id or the figure's label.
    name: String,
    left: u32,
    top: u32,
    width: u32,
    height: u32,
    /// Whether CSS shows it (visibility and display).
    shown: bool,
}

/// Lays out a copy of `page` with a script that lists every section,
/// figure and table's box (the page itself runs no script), reads the list
/// back from Chromium's DOM dump; returns the boxes and the page's height
/// and width (as wide as its widest content).
fn layout(browser: &Path, page: &Path) -> (Vec<Placed>, u32, u32) {
    let html = fs::read_to_string(page).unwrap();
    let script = "<script>const out=[];for(const e of document.querySelectorAll('section,figure,table')){\
        const r=(e.querySelector('svg')||e).getBoundingClientRect(),s=getComputedStyle(e);out.push([e.tagName.toLowerCase(),\
        e.id||e.getAttribute('aria-label')||'',r.left+scrollX,r.top+scrollY,r.width,r.height,\
        s.visibility==='visible'&&s.display!=='none']);}const d=document.documentElement;\
        const p=document.createElement('pre');p.id='layout';\
        p.textContent=JSON.stringify({boxes:out,height:d.scrollHeight,width:d.scrollWidth});\
        document.body.appendChild(p);</script></body>";
    let copy = page.with_file_name("layout.html");
    fs::write(&copy, html.replace("</body>", script)).unwrap();
    let output = chromium_on(browser, &copy, 1000, &["--dump-dom".to_owned()]);
    let dom = String::from_utf8_lossy(&output.stdout);
    let start = dom
        .find("<pre id=\"layout\">")
        .expect("the layout script ran")
        + 17;
    let end = start + dom[start..].find("</pre>").unwrap();
    let text = dom[start..end]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let px = |v: &serde_json::Value| v.as_f64().unwrap().round().max(0.0) as u32;
    let boxes = json["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| Placed {
            tag: b[0].as_str().unwrap().to_owned(),
            name: b[1].as_str().unwrap().to_owned(),
            left: px(&b[2]),
            top: px(&b[3]),
            width: px(&b[4]),
            height: px(&b[5]),
            shown: b[6].as_bool().unwrap(),
        })
        .collect();
    (boxes, px(&json["height"]), px(&json["width"]))
}

/// Pixels of an RGB(A) PNG, as RGB triples, and its width.
fn pixels(png: &Path) -> (Vec<[u8; 3]>, usize) {
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
    let pixels = buffer[..info.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (pixels, info.width as usize)
}

/// Share of the pixels inside `placed`'s box that are not white.
fn inked(pixels: &[[u8; 3]], width: usize, placed: &Placed) -> f64 {
    let rows = pixels.len() / width;
    let (x0, y0) = (placed.left as usize, placed.top as usize);
    let (x1, y1) = (
        (x0 + placed.width as usize).min(width),
        (y0 + placed.height as usize).min(rows),
    );
    let mut inked = 0usize;
    for y in y0..y1 {
        for p in &pixels[y * width + x0..y * width + x1] {
            inked += usize::from(p.iter().any(|&c| c < 235));
        }
    }
    inked as f64 / ((x1.saturating_sub(x0)) * (y1.saturating_sub(y0))).max(1) as f64
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

    // The whole page in one screenshot, as tall as Chromium laid it out.
    let (boxes, height, page_width) = layout(browser, page);
    fits_the_screen(&boxes, page_width, page);
    let png = page.with_extension("png");
    let console = render(browser, page, &png, height);
    assert!(console.is_empty(), "console messages: {console:#?}");
    let (pixels, width) = pixels(&png);
    check_visible(&boxes, sections, charts, &pixels, width, page);
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

/// Right edge of the page's text column: the body's 24-px margin and its
/// 1,100-px maximum width (src/report/html.rs's style).
const TEXT_RIGHT: u32 = 24 + 1100;

/// The page reads on a 1280-px screen: no table is wider than the text
/// column (nor anything else than the window), so nothing needs a
/// horizontal scroll and the tables line up with the text.
fn fits_the_screen(boxes: &[Placed], page_width: u32, page: &Path) {
    let tables: Vec<&Placed> = boxes.iter().filter(|b| b.tag == "table").collect();
    assert!(
        !tables.is_empty(),
        "no table laid out in {}",
        page.display()
    );
    for table in tables {
        assert!(
            table.left + table.width <= TEXT_RIGHT,
            "a table of {} reaches {} px, past the text column's {TEXT_RIGHT} px: {table:?}",
            page.display(),
            table.left + table.width,
        );
    }
    assert!(
        page_width <= WIDTH,
        "{} is {page_width} px wide, more than a {WIDTH}-px screen",
        page.display()
    );
}

/// Every section named and every chart is laid out on the page, shown by
/// CSS, inside the screenshot and not blank there: a chart's drawing is at
/// least 2% ink (axes, labels, bars and lines), a section's box at least
/// 0.5% (its heading).
fn check_visible(
    boxes: &[Placed],
    sections: &[&str],
    charts: usize,
    pixels: &[[u8; 3]],
    width: usize,
    page: &Path,
) {
    let rows = (pixels.len() / width) as u32;
    let seen = |placed: &Placed, min_ink: f64| {
        assert!(placed.shown, "{} {} is hidden", placed.tag, placed.name);
        assert!(
            placed.width > 100 && placed.height > 20,
            "{} {} is {}x{} px",
            placed.tag,
            placed.name,
            placed.width,
            placed.height
        );
        assert!(
            placed.top + placed.height <= rows && placed.left + placed.width <= width as u32,
            "{} {} lies outside the screenshot of {}",
            placed.tag,
            placed.name,
            page.display()
        );
        let ink = inked(pixels, width, placed);
        assert!(
            ink >= min_ink,
            "{} {} is blank on screen: {:.2}% ink",
            placed.tag,
            placed.name,
            100.0 * ink
        );
    };
    for section in sections {
        let placed = boxes
            .iter()
            .find(|b| b.tag == "section" && b.name == *section)
            .unwrap_or_else(|| panic!("no {section} section laid out"));
        seen(placed, 0.005);
    }
    let figures: Vec<&Placed> = boxes.iter().filter(|b| b.tag == "figure").collect();
    assert_eq!(figures.len(), charts, "figures laid out: {figures:#?}");
    for figure in figures {
        seen(figure, 0.02);
    }
}

#[test]
fn report_html_renders_in_headless_chromium_with_its_charts() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let (_dir, out) = run_flagship(&[]);
    // The headline is the PV cost of public money, with public capital
    // from the parties (the first loss and the MSP member's senior share).
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("<b>Public money</b>: USD 277.50m"),
        "parties' public capital"
    );
    assert!(html.contains("Its PV cost (cash paid out less cash received"));
    let sections = [
        "summary",
        "tranches",
        "facility",
        "assumptions",
        "coverage",
        "public",
        "charts",
        "sensitivities",
        "contributions",
        "methodology",
    ];
    check_page(&browser, &out.join("report.html"), &sections, 8, 300);
    let svg = fs::read_to_string(out.join("loss_exceedance.svg")).unwrap();
    key_beside_the_curves(&svg, &["senior", "mezzanine", "first_loss"]);
    let svg = fs::read_to_string(out.join("loss_histogram.svg")).unwrap();
    key_beside_the_bars(&svg, &["senior", "mezzanine", "first_loss"]);
    // The tornado's chart and table name every input shifted.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    for input in [
        "default probabilities",
        "recovery means",
        "correlation shares",
        "loan coupons",
    ] {
        assert!(html.contains(input), "{input}");
    }
}

#[test]
fn combined_scenario_report_renders_with_its_chart() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let (_dir, out) = run_flagship(&["--scenario", "all"]);
    let sections = [
        "scenarios",
        "side-by-side",
        "public",
        "parties",
        "scenario-chart",
        "sensitivities",
    ];
    check_page(&browser, &out.join("report.html"), &sections, 2, 300);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    // The public side leads with PV cost, and each party's PV cost and
    // grant element are side by side across the scenarios.
    assert!(html.contains("<td>PV cost of public money</td>"));
    for row in [
        "<td>mdb_trust_fund</td><td>PV cost</td>",
        "<td>us_dfi</td><td>grant element</td>",
        "<td>us_institutional</td><td>median IRR</td>",
    ] {
        assert!(html.contains(row), "{row}");
    }
    // Every scenario is a column and links to its own memo.
    for scenario in ["base", "lithium_price_crash"] {
        let heading = format!("<th>{}</th>", scenario.replace('_', "_<wbr>"));
        assert!(html.contains(&heading), "{scenario}");
        assert!(html.contains(&format!("href=\"{scenario}/report.html\"")));
        assert!(out.join(scenario).join("report.html").is_file());
    }
}

/// The chart's key does not cover its curves: every tranche's name is
/// drawn right of every point of every curve (lines of two pixels' stroke
/// with more than two points; the key's own samples have two).
fn key_beside_the_curves(svg: &str, tranches: &[&str]) {
    let attribute = |element: &str, name: &str| -> Option<String> {
        let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
        Some(element[start..start + element[start..].find('"')?].to_owned())
    };
    let mut curves_right = 0.0f64;
    for line in svg.split("<polyline").skip(1) {
        let line = &line[..line.find("/>").unwrap()];
        let points = attribute(line, "points").unwrap();
        let xs: Vec<f64> = (points.split_whitespace())
            .map(|p| p.split(',').next().unwrap().parse().unwrap())
            .collect();
        if attribute(line, "stroke-width").as_deref() == Some("2") && xs.len() > 2 {
            curves_right = xs.into_iter().fold(curves_right, f64::max);
        }
    }
    assert!(curves_right > 0.0, "no curve drawn");
    for tranche in tranches {
        let x = key_entry_x(svg, tranche);
        assert!(
            x > curves_right,
            "{tranche}'s key at x = {x} is over the curves (they reach x = {curves_right})"
        );
    }
}

/// The x of the text that names `tranche` in a chart's key.
fn key_entry_x(svg: &str, tranche: &str) -> f64 {
    let text = (svg.split("<text").skip(1))
        .find(|t| {
            t[t.find('>').unwrap() + 1..]
                .trim_start()
                .starts_with(&format!("{tranche}\n"))
        })
        .unwrap_or_else(|| panic!("no key entry for {tranche}"));
    let start = text.find(" x=\"").unwrap() + 4;
    text[start..start + text[start..].find('"').unwrap()]
        .parse()
        .unwrap()
}

/// The histogram's key does not cover its bars: every tranche's name is
/// drawn right of every bar (the bins of total loss reach the plot's right
/// edge) and of the key's own colour boxes; the background, the one
/// rectangle as wide as the chart, is left out.
fn key_beside_the_bars(svg: &str, tranches: &[&str]) {
    let number = |element: &str, name: &str| -> f64 {
        let start = element.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        element[start..start + element[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    let chart_width = number(svg, "width");
    let rectangles: Vec<(f64, f64)> = (svg.split("<rect").skip(1))
        .map(|r| (number(r, "x"), number(r, "width")))
        .filter(|&(_, width)| width < chart_width / 2.0)
        .collect();
    assert!(rectangles.len() > tranches.len(), "no bars drawn");
    let bars_right = rectangles.iter().map(|(x, w)| x + w).fold(0.0, f64::max);
    for tranche in tranches {
        let x = key_entry_x(svg, tranche);
        assert!(
            x > bars_right,
            "{tranche}'s key at x = {x} is over the bars (they reach x = {bars_right})"
        );
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
    let console = render(&browser, &page, &dir.path().join("bad.png"), 600);
    assert!(
        console.iter().any(|line| line.contains("boom")),
        "{console:?}"
    );
}

/// The visibility check can fail: a hidden chart, a chart drawn blank and
/// a section that is not displayed are each caught (so the checks above
/// cannot pass vacuously).
#[test]
fn hidden_or_blank_charts_are_detected() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let drawn = "<svg width=\"600\" height=\"300\"><rect x=\"10\" y=\"10\" width=\"500\" \
                 height=\"200\" fill=\"#1f77b4\"/></svg>";
    let blank = "<svg width=\"600\" height=\"300\"></svg>";
    let page = |section_style: &str, figure_style: &str, svg: &str| {
        format!(
            "<!DOCTYPE html><html><body><section id=\"a\" style=\"{section_style}\">\
             <h2>Heading</h2><p>Some text.</p></section><figure aria-label=\"chart\" \
             style=\"{figure_style}\">{svg}</figure></body></html>"
        )
    };
    let check = |html: String| {
        let file = dir.path().join("page.html");
        fs::write(&file, html).unwrap();
        let (boxes, height, _) = layout(&browser, &file);
        let png = dir.path().join("page.png");
        render(&browser, &file, &png, height.max(400));
        let (pixels, width) = pixels(&png);
        std::panic::catch_unwind(|| check_visible(&boxes, &["a"], 1, &pixels, width, &file))
    };
    assert!(check(page("", "", drawn)).is_ok(), "a visible page passes");
    assert!(
        check(page("", "visibility:hidden", drawn)).is_err(),
        "hidden"
    );
    assert!(check(page("", "", blank)).is_err(), "blank");
    assert!(
        check(page("display:none", "", drawn)).is_err(),
        "not displayed"
    );
}

/// The width check can fail: a table too wide for a 1280-px screen is
/// caught, one that fits passes.
#[test]
fn tables_wider_than_the_screen_are_detected() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let check = |cells: usize| {
        let row: String = (0..cells)
            .map(|i| format!("<td>USD {i},000.00m</td>"))
            .collect();
        let file = dir.path().join("page.html");
        fs::write(
            &file,
            format!("<!DOCTYPE html><html><body><table><tr>{row}</tr></table></body></html>"),
        )
        .unwrap();
        let (boxes, _, width) = layout(&browser, &file);
        std::panic::catch_unwind(|| fits_the_screen(&boxes, width, &file))
    };
    assert!(check(4).is_ok(), "a narrow table passes");
    assert!(check(40).is_err(), "a table of 40 money cells does not fit");
}
