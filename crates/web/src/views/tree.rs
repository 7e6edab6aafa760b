//! The union tree as of a day, opened level by level.

use super::*;

#[derive(Template)]
#[template(path = "tree.html")]
pub(super) struct TreePage {
    chrome: Chrome,
    nodes: Vec<TreeNode>,
    /// With a single root, its sub-units are shown opened.
    first_children: Vec<TreeNode>,
    as_of_text: String,
    as_of_iso: String,
    error: Option<String>,
    /// For a future date: the scheduled plans taking effect by then, each with the
    /// upper tree as it will stand.
    scheduled: Vec<(congdoan_store::Plan, Vec<plans::TreeLine>)>,
    /// Units read through coordination links, grouped by agreement: the heading
    /// (agreement link or coordinator) and the units as of the date.
    coordinated: Vec<CoordinatedGroup>,
    /// The date is before today: counts come from the membership history.
    past: bool,
}

/// Coordinated units under one agreement (or one hand-recorded link's coordinator).
pub(super) struct CoordinatedGroup {
    agreement_id: Option<i64>,
    heading: String,
    nodes: Vec<TreeNode>,
}

#[derive(Template)]
#[template(path = "tree_children_partial.html")]
pub(super) struct TreeChildren {
    chrome: Chrome,
    nodes: Vec<TreeNode>,
    as_of_iso: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AsOfQuery {
    pub(super) as_of: Option<String>,
    pub(super) page: Option<i64>,
    pub(super) reveal: Option<String>,
    pub(super) notice: Option<String>,
}

pub(super) async fn tree(
    State(st): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    let tr = user.tr();
    let (as_of, error) = match as_of_param(q.as_of.as_deref()) {
        Ok(d) => (d, None),
        Err(e) => (
            today(),
            Some(
                e.body()
                    .fields
                    .first()
                    .map(|f| f.text(user.lang).to_string())
                    .unwrap_or_default(),
            ),
        ),
    };
    let nodes = st.store.tree_roots(&user.scope, as_of).await?;
    let first_children = match nodes.as_slice() {
        [root] => {
            st.store
                .tree_children(&user.scope, root.unit_id, as_of)
                .await?
        }
        _ => vec![],
    };
    let coordinated = coordinated_groups(&st, &user, as_of).await?;
    let scheduled = if as_of > today() {
        plans::scheduled_trees(&st, &user, as_of).await?
    } else {
        vec![]
    };
    render(TreePage {
        first_children,
        scheduled,
        chrome: Chrome::new(&user, tr.s("Cây tổ chức công đoàn", "Union tree")),
        nodes,
        as_of_text: congdoan_domain::date::format_vn_date(as_of),
        as_of_iso: as_of.to_string(),
        error,
        coordinated,
        past: as_of < today(),
    })
}

/// The caller's coordinated units (links in force today) as they stood on `as_of`,
/// one group per agreement, in the order the store lists them.
async fn coordinated_groups(
    st: &AppState,
    user: &CurrentUser,
    as_of: time::Date,
) -> Result<Vec<CoordinatedGroup>, AppError> {
    let tr = user.tr();
    let units = st.store.coordinated_units(&user.scope, today()).await?;
    let ids: Vec<i64> = units.iter().map(|u| u.unit_id).collect();
    let mut nodes = st.store.tree_nodes(&user.scope, &ids, as_of).await?;
    let mut groups: Vec<CoordinatedGroup> = vec![];
    for u in &units {
        let Some(i) = nodes.iter().position(|n| n.unit_id == u.unit_id) else {
            continue;
        };
        let node = nodes.remove(i);
        let heading = match (&u.agreement_number, &u.party_b_name) {
            (Some(n), Some(b)) => format!(
                "{} {n} {} {} {} {b}",
                tr.s("Quy chế phối hợp số", "Coordination regulation no."),
                tr.s("giữa", "between"),
                u.coordinator_name,
                tr.s("và", "and"),
            ),
            _ => format!(
                "{} {}",
                tr.s("Chỉ đạo song trùng của", "Dual direction by"),
                u.coordinator_name
            ),
        };
        match groups
            .iter_mut()
            .find(|g| g.agreement_id == u.agreement_id && g.heading == heading)
        {
            Some(g) => g.nodes.push(node),
            None => groups.push(CoordinatedGroup {
                agreement_id: u.agreement_id,
                heading,
                nodes: vec![node],
            }),
        }
    }
    Ok(groups)
}

pub(super) async fn tree_children(
    State(st): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> PageResult {
    let as_of = as_of_param(q.as_of.as_deref())?;
    let nodes = st.store.tree_children(&user.scope, id, as_of).await?;
    render(TreeChildren {
        chrome: Chrome::new(&user, ""),
        nodes,
        as_of_iso: as_of.to_string(),
    })
}
