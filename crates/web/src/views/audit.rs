//! The audit log.

use super::*;

#[derive(Template)]
#[template(path = "audit.html")]
pub(super) struct AuditPage {
    chrome: Chrome,
    rows: Vec<AuditEntry>,
    next_before: Option<i64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AuditParams {
    before: Option<i64>,
}

pub(super) async fn audit(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditParams>,
) -> PageResult {
    let rows = st
        .store
        .audit_log(
            &user.scope,
            &AuditQuery {
                before_id: q.before,
                limit: 100,
                ..Default::default()
            },
        )
        .await?;
    let next_before = (rows.len() == 100)
        .then(|| rows.last().map(|r| r.audit_id))
        .flatten();
    render(AuditPage {
        chrome: Chrome::new(&user, user.tr().s("Nhật ký thay đổi", "Audit log")),
        rows,
        next_before,
    })
}
