//! Nexus rules as data: aliases, groups, the minimum share and the
//! ownership look-through, read from files (tests/fixtures/nexus).

use std::path::Path;

use blendsim::spec::{LoadOptions, load_facility};

fn load(path: &str) -> blendsim::spec::LoadedFacility {
    let options = LoadOptions {
        allow_breaches: true,
    };
    load_facility(Path::new(path), &options).unwrap()
}

#[test]
fn aliases_groups_and_the_ownership_chain_are_read_from_the_files() {
    let loaded = load("tests/fixtures/nexus/facility.toml");
    let rules = &loaded.spec.eligibility;
    assert_eq!(rules.nexus.resolve("republic of korea (rok)"), Some("KR"));
    assert_eq!(rules.nexus.groups["allies"], ["JP", "KR", "US"]);
    let ownership = rules.ownership.as_ref().unwrap();
    assert_eq!(ownership.links.len(), 6);
    // Andes Copper -> Pacific HoldCo 60% -> Red River Capital (HK) 50%:
    // 0.6 x 0.5 = 0.30 >= 0.25.
    let look = ownership.look_through("Andes Copper");
    assert_eq!(look.effective_share.to_string(), "0.30");
    let found: Vec<_> = loaded
        .breaches
        .iter()
        .map(|b| (b.rule.as_str(), b.subject.as_str(), b.line))
        .collect();
    assert_eq!(
        found,
        [
            ("ownership", "project `ID-NI-02`", Some(3)),
            ("excluded_sponsor_nexus", "project `VN-RE-03`", Some(4)),
        ]
    );
    assert!(
        loaded
            .inputs
            .iter()
            .any(|f| f.path.ends_with("ownership.csv"))
    );
}

#[test]
fn a_pool_short_of_its_us_korean_share_is_a_breach() {
    // US and KR sponsors lend 30,000,000 + 25,000,000 + 25,000,000.50 =
    // 80,000,000.50 of 100,000,000: a minimum of 85% is missed, 80% met.
    let text = std::fs::read_to_string("tests/fixtures/nexus/facility.toml").unwrap();
    let dir = tempfile::tempdir().unwrap();
    for file in ["projects.csv", "ownership.csv"] {
        std::fs::copy(
            Path::new("tests/fixtures/nexus").join(file),
            dir.path().join(file),
        )
        .unwrap();
    }
    let facility = dir.path().join("facility.toml");
    for (min_share, breached) in [("0.85", true), ("0.80", false)] {
        let text = text.replace("min_share = 0.75", &format!("min_share = {min_share}"));
        std::fs::write(&facility, text).unwrap();
        let loaded = load(facility.to_str().unwrap());
        let share = loaded.breaches.iter().find(|b| b.rule == "nexus_share");
        assert_eq!(share.is_some(), breached, "{min_share}");
        if let Some(breach) = share {
            assert!(
                breach
                    .message
                    .starts_with("80.000001% of pool principal (80000000.50 of 100000000.00)"),
                "{}",
                breach.message
            );
        }
    }
}
