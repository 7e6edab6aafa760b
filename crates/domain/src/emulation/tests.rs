use super::*;
use proptest::prelude::*;

fn item(code: &str, max: i64) -> Item {
    Item {
        code: code.into(),
        text: format!("Tiêu chí {code}"),
        max: Pts::from_points(max),
        evidence: false,
        veto_if_zero: false,
    }
}

fn sample() -> CriteriaSet {
    CriteriaSet {
        code: "CDCS-NN-2025".into(),
        title: "Đánh giá CĐCS ngoài nhà nước 2025".into(),
        year: 2025,
        unit_types: vec!["CDCS".into()],
        ownership: vec!["private".into(), "fdi".into()],
        scale: Pts::from_points(100),
        groups: vec![
            Group {
                code: "1".into(),
                title: "Đại diện, chăm lo, bảo vệ".into(),
                order: 1,
                items: vec![item("1.1", 20), item("1.2", 20)],
            },
            Group {
                code: "2".into(),
                title: "Xây dựng tổ chức".into(),
                order: 2,
                items: vec![item("2.1", 30), item("2.2", 30)],
            },
        ],
        vetoes: vec![Veto {
            code: "fatal_accident".into(),
            question: "Có tai nạn lao động chết người?".into(),
        }],
        bands: bands_366(),
    }
}

fn scores(p: &[(&str, &str)]) -> Scores {
    Scores {
        items: p
            .iter()
            .map(|(c, v)| (c.to_string(), Pts::parse(v).unwrap()))
            .collect(),
        vetoes: Default::default(),
    }
}

fn codes(e: &[CriteriaError]) -> Vec<&'static str> {
    e.iter().map(|e| e.code).collect()
}

#[test]
fn parses_vietnamese_points() {
    assert_eq!(Pts::parse("7,5"), Some(Pts(75)));
    assert_eq!(Pts::parse("7.50"), Some(Pts(75)));
    assert_eq!(Pts::parse("10"), Some(Pts(100)));
    assert_eq!(Pts::parse("0,25"), None);
    assert_eq!(Pts::parse("-1"), None);
    assert_eq!(Pts::parse("abc"), None);
    assert_eq!(Pts(75).to_string(), "7,5");
    assert_eq!(Pts(900).to_string(), "90");
}

#[test]
fn json_round_trip() {
    let set = sample();
    let j = serde_json::to_string(&set).unwrap();
    assert!(j.contains("\"max\":20"), "{j}");
    let back: CriteriaSet = serde_json::from_str(&j).unwrap();
    assert_eq!(back, set);
}

#[test]
fn scores_and_classes() {
    let set = check(sample()).unwrap();
    let o = score(
        &set,
        &scores(&[("1.1", "20"), ("1.2", "19,5"), ("2.1", "30"), ("2.2", "25")]),
    )
    .unwrap();
    assert_eq!(o.total, Pts(945));
    assert_eq!(
        o.per_group,
        vec![("1".into(), Pts(395)), ("2".into(), Pts(550))]
    );
    assert_eq!(o.class, "xuat_sac");
    let o = score(
        &set,
        &scores(&[("1.1", "20"), ("1.2", "20"), ("2.1", "29,9")]),
    )
    .unwrap();
    assert_eq!(o.class, "hoan_thanh");
    let o = score(
        &set,
        &scores(&[("1.1", "20"), ("1.2", "20"), ("2.1", "30")]),
    )
    .unwrap();
    assert_eq!(o.class, "tot", "70 is 'tốt' (inclusive minimum)");
}

#[test]
fn vetoes_force_the_lowest_class() {
    let mut def = sample();
    def.groups[0].items[0].veto_if_zero = true;
    let set = check(def).unwrap();
    let full = [("1.1", "20"), ("1.2", "20"), ("2.1", "30"), ("2.2", "30")];
    let mut s = scores(&full);
    s.vetoes.insert("fatal_accident".into());
    let o = score(&set, &s).unwrap();
    assert_eq!(o.total, Pts(1000));
    assert_eq!(o.class, "khong_hoan_thanh");
    assert_eq!(o.vetoed_by.len(), 1);
    let o = score(
        &set,
        &scores(&[("1.1", "0"), ("1.2", "20"), ("2.1", "30"), ("2.2", "30")]),
    )
    .unwrap();
    assert_eq!(o.class, "khong_hoan_thanh");
    assert!(matches!(&o.vetoed_by[0], VetoBy::ZeroItem { code, .. } if code == "1.1"));
}

#[test]
fn points_over_the_maximum_name_the_item() {
    let set = check(sample()).unwrap();
    let e = score(&set, &scores(&[("1.1", "20,5"), ("9.9", "1")])).unwrap_err();
    assert_eq!(codes(&e), vec!["VL1020", "VL1023"]);
    assert_eq!(e[0].field, "1.1");
    assert!(
        e[0].vi.contains("Tiêu chí 1.1") && e[0].vi.contains("vượt điểm tối đa 20"),
        "{}",
        e[0].vi
    );
}

#[test]
fn bad_sets_are_refused_with_every_problem() {
    let mut def = sample();
    def.groups[1].items[1].code = "1.1".into();
    def.groups[0].items[1].max = Pts(0);
    def.groups.push(Group {
        code: "1".into(),
        title: "Trống".into(),
        order: 3,
        items: vec![],
    });
    let e = check(def).unwrap_err();
    let c = codes(&e);
    for want in ["VL1003", "VL1004", "VL1002", "VL1006", "VL1005"] {
        assert!(c.contains(&want), "{want} missing in {c:?}");
    }
    let sum = e.iter().find(|e| e.code == "VL1005").unwrap();
    assert!(
        sum.vi.contains("80") && sum.vi.contains("100"),
        "{}",
        sum.vi
    );
}

#[test]
fn band_gaps_and_overlaps() {
    let mut def = sample();
    def.bands[2].below = Some(Pts::from_points(68));
    let e = check(def).unwrap_err();
    assert_eq!(codes(&e), vec!["VL1008"]);
    assert!(
        e[0].vi.contains("hở") && e[0].vi.contains("68"),
        "{}",
        e[0].vi
    );

    let mut def = sample();
    def.bands[2].below = Some(Pts::from_points(75));
    assert_eq!(codes(&check(def).unwrap_err()), vec!["VL1009"]);

    let mut def = sample();
    def.bands[1].min = Pts::from_points(95);
    assert!(codes(&check(def).unwrap_err()).contains(&"VL1009"));

    let mut def = sample();
    def.bands.last_mut().unwrap().min = Pts::from_points(10);
    assert_eq!(codes(&check(def).unwrap_err()), vec!["VL1008"]);

    let mut def = sample();
    def.bands = bands_vung_manh();
    check(def).unwrap();
}

#[test]
fn diff_per_item_and_summed() {
    let set = check(sample()).unwrap();
    let own = scores(&[("1.1", "20"), ("1.2", "20"), ("2.1", "30"), ("2.2", "28")]);
    let appr = scores(&[("1.1", "15"), ("1.2", "18,5"), ("2.1", "30"), ("2.2", "20")]);
    let d = diff(&set, &own, &appr);
    assert_eq!(d.self_total, Pts(980));
    assert_eq!(d.appraised_total, Pts(835));
    assert_eq!(d.delta, Pts(145));
    assert_eq!(d.items[0].delta, Pts(50));
    assert_eq!(d.items.iter().map(|i| i.delta.0).sum::<i64>(), d.delta.0);
}

fn entry(id: i64, name: &str, total: i64, g1: i64, women: Option<u32>) -> RankEntry {
    RankEntry {
        unit_id: id,
        name: name.into(),
        total: Pts(total),
        group1: Pts(g1),
        women_permille: women,
        class: String::new(),
    }
}

#[test]
fn ranking_breaks_ties_in_order() {
    let r = rank(vec![
        entry(1, "CĐCS Đông Hải", 850, 300, None),
        entry(2, "CĐCS Bình An", 850, 300, None),
        entry(3, "CĐCS An Phú", 850, 300, Some(720)),
        entry(4, "CĐCS Cần Thơ", 850, 320, Some(100)),
        entry(5, "CĐCS Zeta", 900, 100, None),
        entry(6, "CĐCS Dương", 850, 300, None),
    ]);
    let ids: Vec<i64> = r.iter().map(|x| x.entry.unit_id).collect();
    // "Dương" < "Đông" in Vietnamese order (d before đ).
    assert_eq!(ids, vec![5, 4, 3, 2, 6, 1]);
    assert_eq!(
        r.iter().map(|x| x.rank).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5, 6]
    );
    let same = rank(vec![entry(1, "A", 10, 0, None), entry(2, "A", 10, 0, None)]);
    assert_eq!(same[0].rank, 1);
    assert_eq!(same[1].rank, 1);
}

#[test]
fn target_share() {
    let set = check(sample()).unwrap();
    let counts = class_counts(&set, ["xuat_sac", "tot", "tot", "tot", "hoan_thanh"]);
    assert_eq!(counts[1].2, 3);
    let t = Target {
        class: "tot".into(),
        share_permille: 800,
    };
    let r = target_met(&set, &counts, &t);
    assert_eq!(
        (r.reached, r.total, r.share_permille, r.met),
        (4, 5, 800, true)
    );
    let counts = class_counts(&set, ["tot", "hoan_thanh"]);
    assert!(!target_met(&set, &counts, &t).met);
}

proptest! {
    #[test]
    fn total_is_the_sum_of_items_and_class_is_monotone(
        maxes in proptest::collection::vec(1i64..=300, 1..12),
        fracs in proptest::collection::vec(0u32..=1000, 12),
        bump in 0usize..12,
    ) {
        let scale: i64 = maxes.iter().sum();
        let items: Vec<Item> = maxes.iter().enumerate().map(|(i, m)| Item {
            code: format!("i{i}"), text: "x".into(), max: Pts(*m),
            evidence: false, veto_if_zero: false,
        }).collect();
        let mut def = sample();
        def.scale = Pts(scale);
        def.groups = vec![Group { code: "g".into(), title: "g".into(), order: 1, items }];
        def.bands = vec![
            Band { code: "a".into(), name_vi: "A".into(), min: Pts(scale * 9 / 10), below: None, condition: None },
            Band { code: "b".into(), name_vi: "B".into(), min: Pts(scale * 7 / 10), below: None, condition: None },
            Band { code: "c".into(), name_vi: "C".into(), min: Pts(0), below: None, condition: None },
        ];
        def.bands.dedup_by(|x, y| x.min == y.min);
        let set = check(def).unwrap();
        let mut s = Scores::default();
        let mut sum = 0;
        for (i, m) in maxes.iter().enumerate() {
            let p = m * i64::from(fracs[i]) / 1000;
            sum += p;
            s.items.insert(format!("i{i}"), Pts(p));
        }
        let o = score(&set, &s).unwrap();
        prop_assert_eq!(o.total, Pts(sum));
        prop_assert_eq!(o.per_group[0].1, Pts(sum));
        // Raising one item never lowers the class.
        let k = bump % maxes.len();
        let mut s2 = s.clone();
        s2.items.insert(format!("i{k}"), Pts(maxes[k]));
        let o2 = score(&set, &s2).unwrap();
        prop_assert!(o2.total >= o.total);
        let pos = |c: &str| set.def().bands.iter().position(|b| b.code == c).unwrap();
        prop_assert!(pos(&o2.class) <= pos(&o.class));
    }
}
