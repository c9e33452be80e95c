use super::*;

fn choice(id: &str, price: Won) -> OptionChoice {
    OptionChoice {
        id: id.into(),
        name: format!("{id} 옵션"),
        price,
    }
}

/// 뼈/순살 (exactly one), 음료 추가 (up to two).
fn groups() -> Vec<OptionGroup> {
    vec![
        OptionGroup {
            id: "base".into(),
            name: "뼈/순살".into(),
            min: 1,
            max: 1,
            choices: vec![choice("bone", 0), choice("boneless", 2_000)],
        },
        OptionGroup {
            id: "drink".into(),
            name: "음료 추가".into(),
            min: 0,
            max: 2,
            choices: vec![
                choice("cola", 2_000),
                choice("cider", 2_000),
                choice("juice", 3_000),
            ],
        },
    ]
}

fn pick(pairs: &[(&str, &str)]) -> Vec<ChoiceRequest> {
    pairs
        .iter()
        .map(|(g, c)| ChoiceRequest {
            group: g.to_string(),
            choice: c.to_string(),
        })
        .collect()
}

#[test]
fn choices_within_min_and_max_are_priced_in_menu_order() {
    let chosen = choose(
        "fried",
        &groups(),
        &pick(&[("drink", "cider"), ("base", "boneless")]),
    )
    .unwrap();
    let priced: Vec<(&str, Won)> = chosen
        .iter()
        .map(|o| (o.choice.as_str(), o.price))
        .collect();
    assert_eq!(priced, vec![("boneless", 2_000), ("cider", 2_000)]);
    // At the edges: the least and the most.
    assert!(choose("fried", &groups(), &pick(&[("base", "bone")])).is_ok());
    let most = pick(&[("base", "bone"), ("drink", "cola"), ("drink", "juice")]);
    assert_eq!(choose("fried", &groups(), &most).unwrap().len(), 3);
}

#[test]
fn too_few_too_many_unknown_and_twice_are_refused_with_what_is_wrong() {
    let cases: Vec<(Vec<ChoiceRequest>, &str)> = vec![
        (pick(&[]), "choose exactly 1 of \"base\" (뼈/순살)"),
        (
            pick(&[("base", "bone"), ("base", "boneless")]),
            "exactly 1 of \"base\"",
        ),
        (
            pick(&[
                ("base", "bone"),
                ("drink", "cola"),
                ("drink", "cider"),
                ("drink", "juice"),
            ]),
            "choose 0 to 2 of \"drink\"",
        ),
        (
            pick(&[("base", "bone"), ("sauce", "hot")]),
            "has no option group \"sauce\"",
        ),
        (pick(&[("base", "wings")]), "has no choice \"wings\""),
        (pick(&[("base", "bone"), ("base", "bone")]), "twice"),
    ];
    for (chosen, needle) in cases {
        let err = choose("fried", &groups(), &chosen).unwrap_err();
        assert!(err.to_string().starts_with("options"), "{err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn a_dish_without_groups_takes_no_options() {
    assert_eq!(choose("cola", &[], &[]), Ok(vec![]));
    let err = choose("cola", &[], &pick(&[("base", "bone")])).unwrap_err();
    assert!(err.to_string().contains("no option group"), "{err}");
}

#[test]
fn groups_are_checked_when_set() {
    validate_groups(&groups()).unwrap();
    let mut bad = groups();
    bad[0].min = 2;
    assert!(validate_groups(&bad)
        .unwrap_err()
        .to_string()
        .contains("min ≤ max"));
    let mut bad = groups();
    bad[1].max = 4;
    assert!(validate_groups(&bad).is_err(), "more than its choices");
    let mut bad = groups();
    bad[1].id = "base".into();
    assert!(validate_groups(&bad)
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let mut bad = groups();
    bad[0].choices[1].id = "bone".into();
    assert!(validate_groups(&bad)
        .unwrap_err()
        .to_string()
        .contains("twice"));
    let mut bad = groups();
    bad[0].choices[0].price = MAX_OPTION_PRICE + 1;
    assert!(validate_groups(&bad).is_err());
    let mut bad = groups();
    bad[1].choices.clear();
    assert!(validate_groups(&bad).is_err());
}
