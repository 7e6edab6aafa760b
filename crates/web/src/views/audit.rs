//! The audit log, in Vietnamese: action names from a table, readable before/after
//! values, a summary such as "Chuyển sinh hoạt: CĐCS A → CĐCS B", a link to the
//! object, and filters (account, unit subtree, action, dates) with keyset paging.

use super::*;
use std::collections::HashMap;

/// Every action code written to `audit_log` anywhere in the store, with its labels.
/// A unit test reads the store's sources and fails when a code lacks a label.
pub(crate) const ACTIONS: &[(&str, &str, &str)] = &[
    ("create", "Tạo mới", "Created"),
    ("update", "Sửa", "Edited"),
    ("move", "Chuyển đơn vị", "Moved"),
    ("rename", "Đổi tên", "Renamed"),
    ("close", "Đóng", "Closed"),
    ("end", "Chấm dứt", "Ended"),
    ("renew", "Gia hạn", "Renewed"),
    // Consent for shared access: a proposal and the partner's answer.
    ("propose", "Đề nghị phối hợp", "Proposed"),
    ("accept", "Chấp thuận", "Accepted"),
    ("decline", "Từ chối", "Declined"),
    ("withdraw", "Rút đề nghị", "Withdrew a proposal"),
    ("remove_unit", "Đưa đơn vị ra", "Unit taken out"),
    (
        "remove_supervisor",
        "Thôi phân công phụ trách",
        "Supervisor taken off",
    ),
    ("grant", "Cấp quyền", "Granted access"),
    // Accounts, tokens and logins.
    ("change_password", "Đổi mật khẩu", "Changed the password"),
    ("reset_password", "Đặt lại mật khẩu", "Reset the password"),
    ("issue", "Cấp khoá API", "Issued an API token"),
    (
        "first_use",
        "Dùng khoá API lần đầu",
        "First use of an API token",
    ),
    ("revoke", "Thu hồi khoá API", "Revoked an API token"),
    ("login", "Đăng nhập", "Logged in"),
    // Certificates (issue 15 item 7).
    (
        "certificate_issue",
        "Cấp giấy khen, giấy chứng nhận",
        "Issued a certificate",
    ),
    (
        "certificate_revoke",
        "Thu hồi giấy khen, giấy chứng nhận",
        "Revoked a certificate",
    ),
    ("login_failed", "Đăng nhập sai", "Failed login"),
    (
        "login_throttled",
        "Tạm hoãn đăng nhập",
        "Login delayed after failures",
    ),
    ("export", "Xuất danh sách", "Exported"),
    (
        "view_personal_data",
        "Xem thông tin cá nhân",
        "Viewed personal data",
    ),
    ("upload", "Tải tệp lên", "Uploaded a file"),
    ("import", "Nhập đoàn viên", "Imported members"),
    ("confirm", "Xác nhận nhập", "Confirmed an import"),
    ("undo", "Hoàn tác", "Undone"),
    ("apply", "Áp dụng phương án", "Applied a plan"),
    ("schedule", "Hẹn ngày áp dụng", "Scheduled a plan"),
    ("cancel", "Huỷ", "Cancelled"),
    ("load", "Nạp dữ liệu", "Loaded data"),
    // Requests: directives and reports (issue 14).
    ("send", "Ban hành, gửi văn bản", "Issued and sent"),
    (
        "request_acknowledge",
        "Xác nhận đã nhận văn bản",
        "Acknowledged a document",
    ),
    (
        "request_forward",
        "Chuyển tiếp văn bản",
        "Forwarded a document",
    ),
    (
        "request_implement",
        "Báo cáo thực hiện",
        "Reported implementation",
    ),
    ("request_draft", "Lưu nháp báo cáo", "Saved a report draft"),
    ("request_submit", "Gửi báo cáo", "Submitted a report"),
    ("request_return", "Trả lại báo cáo", "Returned a report"),
    ("request_approve", "Duyệt báo cáo", "Approved a report"),
    (
        "request_reopen",
        "Mở lại báo cáo đã duyệt",
        "Reopened a report",
    ),
    (
        "view_personal",
        "Xem số điện thoại chủ tịch CĐCS cần nhắc",
        "Viewed chairs' phone numbers",
    ),
    // Rewards (issue 15).
    ("nominate", "Đề nghị khen thưởng", "Nominated for a reward"),
    (
        "unnominate",
        "Bỏ đề nghị khen thưởng",
        "Withdrew a nomination",
    ),
    (
        "decide",
        "Ra quyết định khen thưởng",
        "Issued a reward decision",
    ),
    // Membership events (`MemberEventKind` codes).
    ("admit", "Kết nạp", "Admitted"),
    ("suspend", "Tạm dừng sinh hoạt", "Suspended"),
    ("resume", "Sinh hoạt trở lại", "Resumed"),
    ("transfer_out", "Chuyển sinh hoạt", "Transferred"),
    ("exit", "Thôi sinh hoạt", "Left the union"),
    ("expel", "Khai trừ", "Expelled"),
    ("readmit", "Kết nạp lại", "Readmitted"),
    // Report steps (request_step writes "request_<action>").
    ("request_draft", "Lưu nháp báo cáo", "Saved a report draft"),
    ("request_submit", "Gửi báo cáo", "Submitted a report"),
    ("request_return", "Trả lại báo cáo", "Returned a report"),
    ("request_approve", "Duyệt báo cáo", "Approved a report"),
    ("request_reopen", "Mở lại báo cáo", "Reopened a report"),
    // Good models (issue 15 item 8).
    ("model_create", "Ghi mô hình hay", "Recorded a good model"),
    ("model_update", "Sửa mô hình hay", "Edited a good model"),
    (
        "model_replicate",
        "Đề nghị nhân rộng mô hình",
        "Asked to replicate a model",
    ),
    // Emulation movements (issue 15 item 1).
    (
        "movement_launch",
        "Phát động phong trào thi đua",
        "Launched an emulation movement",
    ),
    (
        "movement_register_member",
        "Ghi đăng ký thi đua của đoàn viên",
        "Recorded a member's emulation registration",
    ),
    // Emulation scoring (issue 15).
    (
        "appraise",
        "Thẩm định điểm thi đua",
        "Appraised an emulation score",
    ),
];

/// What an audit row is about.
const ENTITIES: &[(&str, &str, &str)] = &[
    ("member", "đoàn viên", "member"),
    ("unit", "đơn vị", "unit"),
    ("unit_link", "liên kết phối hợp", "coordination link"),
    ("plan", "phương án sắp xếp", "restructuring plan"),
    ("cluster", "cụm, khối thi đua", "emulation cluster"),
    ("agreement", "quy chế phối hợp", "coordination regulation"),
    ("import", "lần nhập", "import"),
    ("import_job", "lần nhập", "import"),
    ("api_token", "khoá API", "API token"),
    ("account", "tài khoản", "account"),
    ("committee", "ban chấp hành", "committee"),
    ("position", "chức vụ", "post"),
    ("dataset", "dữ liệu", "data set"),
    ("report_form", "mẫu báo cáo", "report form"),
    ("good_model", "mô hình hay", "good model"),
    ("reward_kind", "hình thức khen thưởng", "reward"),
    ("evaluation", "đợt bình xét", "evaluation"),
    (
        "reward_decision",
        "quyết định khen thưởng",
        "reward decision",
    ),
    ("criteria_set", "bộ tiêu chí thi đua", "criteria set"),
    ("assessment", "chấm điểm thi đua", "emulation scoring"),
];

/// Labels of before/after keys that the shared field labels do not name.
const KEYS: &[(&str, &str, &str)] = &[
    ("status", "Trạng thái", "Status"),
    ("unit_id", "Đơn vị", "Unit"),
    ("parent_id", "Đơn vị cấp trên", "Parent unit"),
    ("coordinator_id", "Đơn vị phối hợp", "Coordinating unit"),
    ("job_title", "Chức danh", "Job title"),
    ("type_code", "Loại đơn vị", "Unit type"),
    ("sector", "Ngành, lĩnh vực", "Sector"),
    ("address", "Địa chỉ", "Address"),
    ("employer_name", "Cơ quan, doanh nghiệp", "Employer"),
    ("on", "Ngày", "Date"),
    ("ops", "Số thao tác", "Operations"),
    ("member_id", "Đoàn viên", "Member"),
    ("committee_id", "Ban", "Committee"),
];

fn label_of(
    table: &[(&str, &'static str, &'static str)],
    code: &str,
    tr: Tr,
) -> Option<&'static str> {
    table
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, vi, en)| tr.s(vi, en))
}

/// One row as shown.
pub(super) struct AuditRow {
    at: time::OffsetDateTime,
    username: String,
    action: String,
    entity: String,
    summary: String,
    link: Option<String>,
    changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditRow>,
    next: Option<String>,
    f: AuditParams,
    actions: Vec<(&'static str, &'static str)>,
    errors: Vec<FieldError>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct AuditParams {
    before: Option<i64>,
    /// Account (user name as recorded).
    who: String,
    /// Unit code: rows about its subtree.
    unit: String,
    action: String,
    from: String,
    to: String,
}

impl AuditParams {
    /// The query string of the filters (for the "older" link).
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("who", self.who.as_str()),
            ("unit", self.unit.as_str()),
            ("action", self.action.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ])
        .unwrap_or_default()
    }
}

const PAGE: i64 = 100;

pub(super) async fn audit(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditParams>,
) -> PageResult {
    let tr = user.tr();
    let mut errors = vec![];
    let vn = time::UtcOffset::from_hms(7, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let from = parse_date_opt(&q.from, "from", &mut errors).map(|d| d.midnight().assume_offset(vn));
    let until = parse_date_opt(&q.to, "to", &mut errors)
        .and_then(|d| d.next_day())
        .map(|d| d.midnight().assume_offset(vn));
    let subtree = match q.unit.trim() {
        "" => None,
        code => match st.store.unit_by_code(&user.scope, code).await {
            Ok(u) => Some(u.path),
            Err(_) => {
                errors.push(FieldError::new(
                    "unit",
                    "WE0620",
                    "không tìm thấy đơn vị có mã này trong phạm vi của bạn.",
                    "no unit in your scope has this code.",
                ));
                None
            }
        },
    };
    let rows = if errors.is_empty() {
        st.store
            .audit_log(
                &user.scope,
                &AuditQuery {
                    before_id: q.before,
                    limit: PAGE,
                    subtree,
                    username: Some(q.who.trim().to_string()).filter(|s| !s.is_empty()),
                    action: Some(q.action.trim().to_string()).filter(|s| !s.is_empty()),
                    from,
                    until,
                    ..Default::default()
                },
            )
            .await?
    } else {
        vec![]
    };
    let next = (rows.len() as i64 == PAGE)
        .then(|| {
            rows.last()
                .map(|r| format!("/audit?before={}&{}", r.audit_id, q.query()))
        })
        .flatten();
    let rows = readable(&st, &user, rows).await?;
    let invalid = !errors.is_empty();
    let res = render(AuditPage {
        chrome: Chrome::new(&user, tr.s("Nhật ký thay đổi", "Audit log")),
        rows,
        next,
        f: q,
        actions: ACTIONS
            .iter()
            .map(|(c, vi, en)| (*c, tr.s(vi, en)))
            .collect(),
        errors,
    })?;
    Ok(pick::unprocessable(res, invalid))
}

fn object(v: &Option<String>) -> serde_json::Map<String, serde_json::Value> {
    v.as_deref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default()
}

/// Turns stored rows into what a reader sees: labels, names, dates dd/mm/yyyy.
async fn readable(
    st: &AppState,
    user: &CurrentUser,
    rows: Vec<AuditEntry>,
) -> Result<Vec<AuditRow>, AppError> {
    let tr = user.tr();
    let unit_keys = ["unit_id", "parent_id", "coordinator_id"];
    let mut ids = vec![];
    for r in &rows {
        for m in [object(&r.before_json), object(&r.after_json)] {
            for k in unit_keys {
                if let Some(id) = m.get(k).and_then(|v| v.as_i64()) {
                    ids.push(id);
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let names: HashMap<i64, String> = st
        .store
        .unit_names(&user.scope, &ids)
        .await?
        .into_iter()
        .collect();
    let unit_name = |id: i64| {
        names.get(&id).cloned().unwrap_or_else(|| {
            tr.s("(đơn vị ngoài phạm vi)", "(unit outside your scope)")
                .to_string()
        })
    };
    let show = |k: &str, v: &serde_json::Value| -> String {
        match v {
            serde_json::Value::Null => "—".to_string(),
            serde_json::Value::Number(n) if unit_keys.contains(&k) => {
                n.as_i64().map(unit_name).unwrap_or_default()
            }
            serde_json::Value::String(s) if k == "status" => tr.status(s),
            serde_json::Value::String(s) => match congdoan_domain::date::parse_vn_date(s, "on") {
                Ok(d) if s.len() == 10 && s.as_bytes()[4] == b'-' => tr.date(d),
                _ => s.clone(),
            },
            serde_json::Value::Bool(b) => tr
                .s(
                    if *b { "có" } else { "không" },
                    if *b { "yes" } else { "no" },
                )
                .to_string(),
            serde_json::Value::Array(a) => tr.int(a.len() as i64),
            other => other.to_string(),
        }
    };
    Ok(rows
        .into_iter()
        .map(|r| {
            let (before, after) = (object(&r.before_json), object(&r.after_json));
            let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
            keys.sort();
            keys.dedup();
            let changes = keys
                .into_iter()
                .filter(|k| before.get(*k) != after.get(*k))
                .map(|k| {
                    let label = label_of(KEYS, k, tr)
                        .unwrap_or_else(|| tr.field(k))
                        .to_string();
                    let b = before.get(k).map(|v| show(k, v)).unwrap_or_default();
                    let a = after.get(k).map(|v| show(k, v)).unwrap_or_default();
                    (label, b, a)
                })
                .collect();
            let action = label_of(ACTIONS, &r.action, tr)
                .map(str::to_string)
                .unwrap_or_else(|| r.action.clone());
            // A transfer reads "Chuyển sinh hoạt: A → B" from its before/after units.
            let summary = match (
                r.action.as_str(),
                before.get("unit_id").and_then(|v| v.as_i64()),
                after.get("unit_id").and_then(|v| v.as_i64()),
            ) {
                ("transfer_out", Some(a), Some(b)) if a != b => {
                    format!(
                        "{action}: {} → {} ({})",
                        unit_name(a),
                        unit_name(b),
                        r.summary
                    )
                }
                _ => r.summary.clone(),
            };
            let link = r.entity_id.and_then(|id| {
                let base = match r.entity.as_str() {
                    "member" => "members",
                    "unit" => "units",
                    "plan" => "plans",
                    "cluster" => "clusters",
                    "agreement" => "agreements",
                    "import" => "imports",
                    _ => return None,
                };
                Some(format!("/{base}/{id}"))
            });
            AuditRow {
                at: r.at,
                username: r.username,
                entity: label_of(ENTITIES, &r.entity, tr)
                    .map(str::to_string)
                    .unwrap_or(r.entity),
                action,
                summary,
                link,
                changes,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::ACTIONS;

    /// Every action code the store writes has a label: the literal action argument
    /// of each `audit!(…)` call in crates/store/src, and every membership event kind.
    #[test]
    fn every_audited_action_has_a_label() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../store/src");
        let mut missing = vec![];
        let mut seen = 0;
        for entry in std::fs::read_dir(dir).expect("store sources") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let src = std::fs::read_to_string(&path).expect("read");
            for call in src.split("audit!(").skip(1) {
                // audit!(ex, scope, ACTION, …): the third argument.
                let args: Vec<&str> = call.splitn(4, ',').collect();
                let Some(action) = args.get(2).map(|a| a.trim()) else {
                    continue;
                };
                if let Some(code) = action.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                    seen += 1;
                    if !ACTIONS.iter().any(|(c, _, _)| *c == code) {
                        missing.push(format!("{}: {code}", path.display()));
                    }
                }
            }
        }
        for k in congdoan_domain::member::MemberEventKind::all() {
            if !ACTIONS.iter().any(|(c, _, _)| *c == k.code()) {
                missing.push(format!("event kind {}", k.code()));
            }
        }
        assert!(seen > 20, "found only {seen} audit calls");
        assert!(
            missing.is_empty(),
            "action codes without a label: {missing:?}"
        );
    }
}
