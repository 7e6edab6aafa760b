//! The JSON API, through real HTTP, on both engines.

use crate::both_engines;
use crate::harness::{Kind, TestApp};
use serde_json::{Value, json};

both_engines!(
    healthz_names_the_engine,
    members_are_found_without_accents,
    a_bad_member_is_refused_field_by_field,
    status_machine_and_transfer,
    tree_as_of_a_date_follows_moves,
    officials_have_one_chair,
    openapi_documents_every_route,
    bad_json_gets_a_coded_error,
);

async fn healthz_names_the_engine(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, false).await else {
        return;
    };
    let v: Value = reqwest::get(app.url("/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expect = if kind == Kind::Sqlite {
        "sqlite"
    } else {
        "postgres"
    };
    assert_eq!(v["engine"], expect);
    assert_eq!(v["status"], "ok");
}

fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["full_name"].as_str().unwrap().to_string())
        .collect()
}

async fn members_are_found_without_accents(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("admin").await;
    let (s, v) = api
        .get("/api/v1/members?q=nguyen%20van%20duc&per_page=200")
        .await;
    assert_eq!(s, 200, "{v}");
    let found = names(&v);
    assert!(found.iter().any(|n| n == "Nguyễn Văn Đức"), "{found:?}");
    assert!(
        found
            .iter()
            .all(|n| congdoan_domain::fold(n).contains("nguyen van duc")),
        "{found:?}"
    );
    // "hoa" finds both tone placements.
    let (_, v) = api.get("/api/v1/members?q=hoa&per_page=200").await;
    let found = names(&v);
    assert!(found.iter().any(|n| n.contains("Hoà")), "{found:?}");
    assert!(found.iter().any(|n| n.contains("Hòa")), "{found:?}");
    // Decomposed (NFD) input works the same.
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Đức").collect();
    let (_, v) = api
        .get(&format!(
            "/api/v1/members?q={}&per_page=200",
            urlencode(&nfd)
        ))
        .await;
    assert!(names(&v).iter().any(|n| n == "Nguyễn Văn Đức"));
    // Lists are in Vietnamese order: given name first.
    let (_, v) = api.get("/api/v1/members?per_page=200").await;
    let listed = names(&v);
    let keys: Vec<String> = listed
        .iter()
        .map(|n| congdoan_domain::name_sort_key(n))
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] <= w[1]),
        "not sorted by given name"
    );
    // Identifiers are masked in lists.
    let cccd = v["items"][0]["cccd"].as_str().unwrap_or("");
    assert!(cccd.contains('*'), "{cccd}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn a_bad_member_is_refused_field_by_field(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (_, before) = api.get(&format!("/api/v1/dashboard?unit_id={unit}")).await;
    let bad = json!({"unit_id": unit.to_string(), "full_name": "Trần Thị Mai", "birth_date": "31/02/1990", "sex": "F",
        "cccd": "089190", "phone": "12345", "join_date": "01/03/2020"});
    let (s, v) = api.post("/api/v1/members", bad).await;
    assert_eq!(s, 422, "{v}");
    let fields: Vec<&str> = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"birth_date") && fields.contains(&"cccd") && fields.contains(&"phone"),
        "{fields:?}"
    );
    let cccd_msg = v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "cccd")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(cccd_msg.starts_with("Số CCCD"), "{cccd_msg}");
    // CCCD whose sex digit contradicts the sex.
    let (s, v) = api.post("/api/v1/members", json!({"unit_id": unit.to_string(), "full_name": "Trần Thị Mai", "birth_date": "12/05/1990",
        "sex": "F", "cccd": "089090123456", "join_date": "01/03/2020"})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "cccd");
    let (s, after) = api.get(&format!("/api/v1/dashboard?unit_id={unit}")).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(
        before["members_by_status"], after["members_by_status"],
        "nothing was stored"
    );
    // Fixed, it is stored and counted.
    let (s, v) = api.post("/api/v1/members", json!({"unit_id": unit.to_string(), "full_name": "Trần Thị Mai", "birth_date": "12/05/1990",
        "sex": "F", "cccd": "089190123456", "phone": "+84 912 345 678", "join_date": "01/03/2020"})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["phone"], "0912***678");
    // The same CCCD twice is refused, naming the field.
    let (s, v) = api.post("/api/v1/members", json!({"unit_id": unit.to_string(), "full_name": "Lê Thị Mai", "birth_date": "12/05/1990",
        "sex": "F", "cccd": "089190123456", "join_date": "01/03/2020"})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "cccd");
}

async fn status_machine_and_transfer(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("btv.angiang").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let other = app.unit_id(congdoan_datagen::DEMO_OTHER_CDCS_CODE).await;
    let (s, m) = api.post("/api/v1/members", json!({"unit_id": unit.to_string(), "full_name": "Phạm Văn Hùng", "birth_date": "02/01/1985",
        "sex": "M", "cccd": "089085000777", "card_no": "TEST0001", "join_date": "01/01/2010"})).await;
    assert_eq!(s, 200, "{m}");
    let id = m["member_id"].as_i64().unwrap();
    let ev = |kind: &str, on: &str, reason: &str| json!({"kind": kind, "on": on, "reason": reason});
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("suspend", "01/02/2024", "Tạm hoãn hợp đồng"),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("suspended")), "{v}");
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("resume", "01/03/2024", ""),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("member")), "{v}");
    // Going back in time is refused.
    let (s, _) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("suspend", "01/01/2024", "x"),
        )
        .await;
    assert_eq!(s, 422);
    // Transfer to another CĐCS keeps the card number.
    let code = congdoan_datagen::DEMO_OTHER_CDCS_CODE;
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            json!({"kind": "transfer_out", "on": "01/04/2024", "to_unit_code": code}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["unit_id"].as_i64(), Some(other));
    assert_eq!(v["card_no"], "TEST0001");
    assert_eq!(v["status"], "member");
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("exit", "15/01/2025", "Nghỉ việc"),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("exited")), "{v}");
    // Re-admission only after three months.
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("readmit", "14/04/2025", ""),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let (s, v) = api
        .post(
            &format!("/api/v1/members/{id}/events"),
            ev("readmit", "15/04/2025", ""),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("member")), "{v}");
    // History is attributed to the unit where each step happened.
    let (_, h) = api.get(&format!("/api/v1/members/{id}/events")).await;
    let kinds: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "admit",
            "suspend",
            "resume",
            "transfer_out",
            "exit",
            "readmit"
        ]
    );
    assert_eq!(h[3]["unit_id"].as_i64(), Some(unit));
    assert_eq!(h[4]["unit_id"].as_i64(), Some(other));
}

async fn tree_as_of_a_date_follows_moves(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("admin").await;
    let ag = app.unit_id("AG").await;
    let mk = |code: &str, name: &str, ty: &str, parent: i64, founded: &str| json!({"code": code, "name": name, "type_code": ty, "parent_id": parent.to_string(), "founded_on": founded});
    let (s, a) = api
        .post(
            "/api/v1/units",
            mk(
                "T-HUYEN-A",
                "LĐLĐ huyện Thử A",
                "LDLD_HUYEN",
                ag,
                "01/01/2000",
            ),
        )
        .await;
    assert_eq!(s, 200, "{a}");
    let (s, b) = api
        .post(
            "/api/v1/units",
            mk(
                "T-HUYEN-B",
                "LĐLĐ huyện Thử B",
                "LDLD_HUYEN",
                ag,
                "01/01/2000",
            ),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (a, b) = (
        a["unit_id"].as_i64().unwrap(),
        b["unit_id"].as_i64().unwrap(),
    );
    let (_, c) = api
        .post(
            "/api/v1/units",
            mk("T-CDCS-C", "Công đoàn cơ sở Thử C", "CDCS", a, "01/06/2005"),
        )
        .await;
    let c = c["unit_id"].as_i64().unwrap();
    let (_, t) = api
        .post(
            "/api/v1/units",
            mk("T-TO-1", "Tổ công đoàn 1", "TO_CD", c, "01/06/2006"),
        )
        .await;
    let t = t["unit_id"].as_i64().unwrap();
    // A unit under its own descendant is refused, naming the field.
    let (s, v) = api
        .post(
            &format!("/api/v1/units/{a}/move"),
            json!({"parent_id": t, "on": "01/01/2010", "reason": "thử"}),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "parent_id");
    let (s, v) = api
        .post(
            &format!("/api/v1/units/{c}/move"),
            json!({"parent_id": b, "on": "01/07/2019", "reason": "Tinh gọn bộ máy"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let codes = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap().to_string())
            .collect()
    };
    let (s, before) = api
        .get(&format!("/api/v1/units/{a}/subtree?as_of=30/06/2019"))
        .await;
    assert_eq!(s, 200, "{before}");
    assert_eq!(codes(&before), ["T-HUYEN-A", "T-CDCS-C", "T-TO-1"]);
    let (s, after) = api
        .get(&format!("/api/v1/units/{a}/subtree?as_of=01/07/2019"))
        .await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(codes(&after), ["T-HUYEN-A"]);
    let (s, now) = api.get(&format!("/api/v1/units/{b}/subtree")).await;
    assert_eq!(s, 200, "{now}");
    assert_eq!(codes(&now), ["T-HUYEN-B", "T-CDCS-C", "T-TO-1"]);
    let (s, kids) = api
        .get(&format!("/api/v1/units?parent_id={a}&as_of=2019-01-01"))
        .await;
    assert_eq!(s, 200, "{kids}");
    assert_eq!(codes(&kids), ["T-CDCS-C"]);
    let (_, h) = api.get(&format!("/api/v1/units/{t}/history")).await;
    assert_eq!(
        h.as_array().unwrap().len(),
        2,
        "the tổ moved with its CĐCS: {h}"
    );
    // Before the tree existed there is nothing.
    let (s, none) = api
        .get(&format!("/api/v1/units/{c}/subtree?as_of=01/01/2004"))
        .await;
    assert_eq!(s, 200, "{none}");
    assert_eq!(none.as_array().unwrap().len(), 0);
}

async fn officials_have_one_chair(kind: Kind) {
    let Some(app) = TestApp::spawn(kind).await else {
        return;
    };
    let api = app.token("cdcs.officer").await;
    let unit = app.unit_id(congdoan_datagen::DEMO_CDCS_CODE).await;
    let (s, c) = api
        .post(
            &format!("/api/v1/units/{unit}/committees"),
            json!({"kind": "BCH", "term_no": 9, "term_label": "2028–2033",
        "term_start": "2028-01-01", "term_end": "2033-01-01"}),
        )
        .await;
    // Dates in the future are allowed for a term; the committee is created.
    assert_eq!(s, 200, "{c}");
    let committee = c["id"].as_i64().unwrap();
    let (_, list) = api
        .get(&format!(
            "/api/v1/members?unit_id={unit}&status=member&per_page=3"
        ))
        .await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["member_id"].as_i64().unwrap())
        .collect();
    let post = |member: i64, pos: &str| {
        json!({"member_id": member, "position_code": pos, "start_date": "2028-01-02", "end_date": null,
        "full_time": false, "elected": true})
    };
    let (s, v) = api
        .post(
            &format!("/api/v1/committees/{committee}/positions"),
            post(ids[0], "CHU_TICH"),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = api
        .post(
            &format!("/api/v1/committees/{committee}/positions"),
            post(ids[1], "CHU_TICH"),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["fields"][0]["field"], "position");
    let (s, _) = api
        .post(
            &format!("/api/v1/committees/{committee}/positions"),
            post(ids[1], "PHO_CHU_TICH"),
        )
        .await;
    assert_eq!(s, 200);
    let (_, cs) = api.get(&format!("/api/v1/units/{unit}/committees")).await;
    let ours = cs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["committee_id"].as_i64() == Some(committee))
        .unwrap();
    let posts: Vec<&str> = ours["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["position_code"].as_str().unwrap())
        .collect();
    assert_eq!(posts, ["CHU_TICH", "PHO_CHU_TICH"]);
}

async fn openapi_documents_every_route(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, false).await else {
        return;
    };
    let doc: Value = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/me", "get"),
        ("/api/v1/tokens", "post"),
        ("/api/v1/tokens", "get"),
        ("/api/v1/tokens/{id}", "delete"),
        ("/api/v1/accounts", "get"),
        ("/api/v1/accounts", "post"),
        ("/api/v1/accounts/{id}/reset-password", "post"),
        ("/api/v1/accounts/{id}/disable", "post"),
        ("/api/v1/accounts/{id}/enable", "post"),
        ("/api/v1/unit-types", "get"),
        ("/api/v1/units", "get"),
        ("/api/v1/units", "post"),
        ("/api/v1/units/{id}", "get"),
        ("/api/v1/units/{id}", "put"),
        ("/api/v1/units/{id}/subtree", "get"),
        ("/api/v1/units/{id}/history", "get"),
        ("/api/v1/units/{id}/move", "post"),
        ("/api/v1/units/{id}/committees", "get"),
        ("/api/v1/units/{id}/committees", "post"),
        ("/api/v1/committees/{id}/positions", "post"),
        ("/api/v1/members", "get"),
        ("/api/v1/members", "post"),
        ("/api/v1/members/{id}", "get"),
        ("/api/v1/members/{id}", "put"),
        ("/api/v1/members/{id}/events", "get"),
        ("/api/v1/members/{id}/events", "post"),
        ("/api/v1/audit", "get"),
        ("/api/v1/dashboard", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    // And nothing is documented that does not answer: every documented path responds (401 without a token, not 404/405).
    for (path, ops) in paths {
        let url = app.url(&path.replace("{id}", "1"));
        for (method, op) in ops.as_object().unwrap() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = reqwest::Client::new()
                .request(m, &url)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            // A public operation (no `security`: certificate verification) answers an
            // unknown key with 404.
            let expected = if op["security"].is_null() { 404 } else { 401 };
            assert_eq!(r.status().as_u16(), expected, "{method} {path}");
        }
    }
}

async fn bad_json_gets_a_coded_error(kind: Kind) {
    let Some(app) = TestApp::spawn_with(kind, false).await else {
        return;
    };
    let a = app
        .store()
        .create_account(
            &app.admin_scope(),
            congdoan_store::NewAccount {
                username: "root".into(),
                display_name: "Root".into(),
                password_hash: congdoan_web::hash_password("mat-khau-dai"),
                admin: true,
                grants: vec![],
            },
        )
        .await
        .unwrap();
    let token = congdoan_web::new_token();
    app.store()
        .create_api_token(a, "t", &congdoan_web::sha256_hex(&token))
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/members"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "WE0400");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Yêu cầu không hợp lệ")
    );
    let r = reqwest::Client::new()
        .get(app.url("/api/v1/members"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "WE0401");
}
