use super::*;

fn base() -> Settings {
    let mut s = Settings::new("Согласие", Language::Ru, "main");
    s.purposes.push("обработка заявок".into());
    s
}

#[test]
fn actions_parse_from_every_vocabulary() {
    assert_eq!(Action::parse("storage"), Ok(Action::Storage));
    assert_eq!(Action::parse("хранение"), Ok(Action::Storage));
    assert_eq!(Action::parse("Уточнение"), Ok(Action::Clarification));
    assert_eq!(
        Action::parse("уточнение (обновление, изменение)"),
        Ok(Action::Clarification)
    );
    assert_eq!(
        Action::parse("anonymization"),
        Ok(Action::Depersonalization)
    );
    assert_eq!(Action::parse("передача"), Ok(Action::Transfer));
    let err = Action::parse("mailing").unwrap_err();
    assert!(
        err.starts_with("unknown action `mailing`; use one of: collection, recording"),
        "{err}"
    );
    for a in Action::ALL {
        assert_eq!(Action::parse(a.slug()), Ok(a));
        assert_eq!(Action::parse(a.label(Language::Ru)), Ok(a));
    }
}

#[test]
fn third_party_spec() {
    let tp = ThirdParty::parse(
        "name=ООО «Доставка\\, и Ко»,inn=7717586110,address=Москва,role=processor",
    )
    .unwrap();
    assert_eq!(tp.name, "ООО «Доставка, и Ко»");
    assert_eq!(tp.role, Role::Processor);
    let err = ThirdParty::parse("name=X").unwrap_err();
    assert!(err.contains("lacks inn, address"), "{err}");
    assert!(ThirdParty::parse("name=X,inn=1,address=y,colour=red").is_err());
}

#[test]
fn changes_apply_and_validate() {
    let mut s = base();
    s.apply(&[
        Change::Set("required".into(), "no".into()),
        Change::AddPurpose("рассылка".into()),
        Change::RemovePurpose("1".into()),
        Change::RemoveAction(Action::Blocking),
    ])
    .unwrap();
    assert!(!s.required);
    assert_eq!(s.purposes, ["рассылка"]);
    assert!(!s.actions.contains(&Action::Blocking));
    assert!(
        s.apply(&[Change::RemovePurpose("нет такой".into())])
            .is_err()
    );
    assert!(
        s.apply(&[Change::Set("colour".into(), "x".into())])
            .is_err()
    );
    assert_eq!(crate::domain::render::validate("site", &s), Ok(()));
}

#[test]
fn custom_template_needs_text() {
    let mut s = base();
    s.apply(&[Change::Set("template".into(), "custom".into())])
        .unwrap();
    let err = crate::domain::render::validate("site", &s).unwrap_err();
    assert_eq!(err.errors[0].field, "custom_text");
}

#[test]
fn custom_text_refuses_control_characters_but_line_breaks_and_tabs() {
    let mut s = base();
    s.apply(&[
        Change::Set("template".into(), "custom".into()),
        Change::Set(
            "custom_text".into(),
            "Оператор:\t{{ operator.short_name }}.\r\n\nКонец.\n".into(),
        ),
    ])
    .unwrap();
    assert_eq!(crate::domain::render::validate("site", &s), Ok(()));
    for c in ['\u{1b}', '\u{7}', '\0', '\u{8}'] {
        s.custom_text = Some(format!(
            "Оператор: {{{{ operator.short_name }}}}.\n{c}]0;x\n"
        ));
        let err = crate::domain::render::validate("site", &s).unwrap_err();
        assert_eq!(err.errors.len(), 1, "{err}");
        assert_eq!(err.errors[0].field, "custom_text");
        assert!(
            err.errors[0].message.starts_with("line 2, column 1:"),
            "{err}"
        );
    }
}

#[test]
fn third_party_inn_is_checked() {
    let mut s = base();
    s.third_parties.push(ThirdParty {
        name: "X".into(),
        inn: "7717586111".into(),
        address: "Москва".into(),
        role: Role::Recipient,
    });
    let err = crate::domain::render::validate("site", &s).unwrap_err();
    assert_eq!(err.errors[0].field, "third_parties[0].inn");
}

#[test]
fn settings_json_round_trip() {
    let s = base();
    let json = serde_json::to_string(&s).unwrap();
    assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), s);
}
