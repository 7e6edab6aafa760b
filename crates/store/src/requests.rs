//! Requests: what a set of units owes by a date (issue 14). One module for every kind:
//! a request is sent to target units resolved from the tree in force; each target
//! moves through the states of `congdoan_domain::request`; every change adds the
//! difference of the target's counters (and of its form values' contribution) to its
//! ancestors' `request_tally` rows in the same transaction, so a roll-up at any level
//! — the national root included — reads one unit's rows. Moves shift a subtree's rows
//! from the old ancestors to the new ones (`shift_request_tallies!`, called by
//! `move_units!`); a unit ended while its response was open stops being expected and
//! its survivor inherits the obligation (`end_request_targets!`, called by plans).

use crate::audit::audit;
use crate::scope::range_end;
use crate::{Result, Scope, Store, StoreError, now, read, write};
use congdoan_domain::request::{
    self as rq, Action, Due, Flow, Place, PlaceKey, Rates, RequestKind, TargetFacts, TargetSpec,
    TargetState,
};
use congdoan_domain::text::{fold, nfc};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use time::{Date, OffsetDateTime};

/// (total, n, hits) of one key: counters use `n`; form fields use all three.
pub type Tally = [i64; 3];

/// Most targets one request may have (every CĐCS of the country is about 125,000).
pub const MAX_TARGETS: usize = 250_000;
/// Rows a board or list shows at once.
pub const BOARD_PAGE: i64 = 500;

/// A request as listed and shown.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Request {
    pub request_id: i64,
    /// `directive` or `report`.
    pub kind: String,
    pub issuer_unit_id: i64,
    pub issuer_name: String,
    pub issuer_path: String,
    /// Directive document type code (KH, CT, NQ, HD, CV, TB, QĐ).
    pub doc_type: Option<String>,
    /// As printed after "Số:", e.g. "267/KH-LĐLĐ".
    pub doc_number: Option<String>,
    pub title: String,
    pub body: Option<String>,
    pub form_id: Option<i64>,
    pub form_version: Option<i64>,
    /// Period code of a report ("2026-05", "2026-H1"…).
    pub period: Option<String>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub issued_on: Date,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    pub due_on: Date,
    pub created_by_name: Option<String>,
}

impl Request {
    pub fn kind(&self) -> RequestKind {
        RequestKind::parse(&self.kind).unwrap_or(RequestKind::Directive)
    }
}

/// What one unit owes for one request, with where it stands.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Target {
    pub request_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    #[serde(skip)]
    pub unit_path: String,
    pub unit_type: String,
    /// The unit that forwarded the request here (none: sent by the issuer).
    pub via_unit_id: Option<i64>,
    /// Merged-away unit whose open obligation this unit inherited.
    pub inherited_from: Option<i64>,
    pub due_on: Date,
    pub instructions: Option<String>,
    pub state: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    pub acknowledged_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub forwarded_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub responded_at: Option<OffsetDateTime>,
    pub on_time: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub approved_at: Option<OffsetDateTime>,
    /// No longer expected from this day (merged away or dissolved while open).
    pub ended_on: Option<Date>,
    pub revision: i64,
    pub response_text: Option<String>,
    /// JSON of the form values (reports).
    pub response_values: Option<String>,
    #[serde(skip)]
    pub contribution: Option<String>,
}

impl Target {
    pub fn state(&self) -> TargetState {
        TargetState::parse(&self.state).unwrap_or(TargetState::Pending)
    }
    pub fn facts(&self) -> TargetFacts {
        TargetFacts {
            state: Some(self.state()),
            ended: self.ended_on.is_some(),
            responded: self.responded_at.is_some(),
            on_time: self.on_time,
            acknowledged: self.acknowledged_at.is_some(),
            forwarded: self.forwarded_at.is_some(),
        }
    }
    /// Its unit type, acknowledgement time and (assessments) appraised class, for the
    /// board's and the class distribution's counters.
    pub fn place<'a>(&'a self, issued_at: OffsetDateTime, class: Option<&'a str>) -> Place<'a> {
        place_of(&self.unit_type, self.acknowledged_at, issued_at, class)
    }
    /// The deadline as a reminder shows it.
    pub fn due(&self, kind: RequestKind, today: Date) -> Due {
        let done = match kind.flow() {
            Flow::Document => self.acknowledged_at.is_some() && self.responded_at.is_some(),
            Flow::Form => self.responded_at.is_some() && self.state() != TargetState::Returned,
        };
        Due::of(self.due_on, today, done || self.ended_on.is_some())
    }
}

/// A request with the caller's view of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RequestDetail {
    pub request: Request,
    /// Totals over every target (all levels of the propagation tree).
    pub totals: Rates,
    pub files: Vec<RequestFile>,
    /// Whether the caller may act for the issuer (see the board, return, approve).
    pub issuer_view: bool,
}

/// A file of a request (the document) or of a response (evidence).
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RequestFile {
    pub file_id: i64,
    pub request_id: i64,
    pub unit_id: i64,
    pub file_name: String,
    pub mime: String,
    pub size: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub uploaded_at: OffsetDateTime,
    pub uploaded_by: String,
}

/// A file to attach.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A directive to issue.
#[derive(Debug, Clone)]
pub struct NewDirective {
    pub issuer_unit_id: i64,
    pub doc_type: String,
    /// The number; the next free one for the issuer, type and year when None.
    pub seq: Option<i64>,
    /// The issuer's abbreviation in the number; from its unit type when None.
    pub issuer_abbrev: Option<String>,
    pub issued_on: Date,
    pub title: String,
    pub body: Option<String>,
    pub due_on: Date,
    pub targets: TargetSpec,
    pub files: Vec<NewFile>,
}

/// A request of any kind, as the kind-specific modules build it.
#[derive(Debug, Clone)]
pub(crate) struct NewRequest {
    pub kind: RequestKind,
    pub issuer: crate::Unit,
    pub doc: Option<(String, i64, i64, String)>,
    pub title: String,
    pub body: Option<String>,
    pub form: Option<(i64, i64)>,
    pub period: Option<(String, Date, Date)>,
    pub issued_on: Date,
    pub due_on: Date,
    pub targets: TargetSpec,
    pub files: Vec<(NewFile, &'static str)>,
}

/// One row of a board: a unit under the level, its subtree's counters and its own target.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardRow {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub ended: bool,
    /// Its subtree's targets, itself included.
    pub rates: Rates,
    /// Its own target, if it is one.
    pub own: Option<Target>,
    /// Whether it has targets below it (the row drills down).
    pub has_below: bool,
    /// A target outside the issuer's subtree (a cluster member or a unit an agreement
    /// covers), listed at the issuer's level.
    pub outside: bool,
}

/// The board of a request at one level.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Board {
    pub level: crate::Unit,
    pub rates: Rates,
    pub own: Option<Target>,
    pub rows: Vec<BoardRow>,
    /// Rows left off (over [`BOARD_PAGE`]).
    pub more: i64,
    /// Per unit type in the level's subtree.
    pub by_type: Vec<TypeRates>,
    /// Issue to each CĐCS's acknowledgement, in seconds: how many, median, p90.
    pub propagation: Propagation,
}

/// The counters of one unit type's targets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TypeRates {
    pub type_name: String,
    pub rates: Rates,
}

#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct Propagation {
    pub acknowledged: i64,
    pub waiting: i64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
}

/// Which targets a follow-up list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Chase {
    /// Past due without a response.
    Late,
    /// No response yet (due or not).
    Missing,
    /// Returned for correction and not resubmitted.
    Returned,
    /// Not acknowledged (directives).
    Unacknowledged,
    /// Submitted and waiting for the reviewer.
    Submitted,
}

/// A unit to chase, with whom to call.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ChaseRow {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub state: String,
    pub due_on: Date,
    pub chair_name: Option<String>,
    /// The chair's phone, masked unless the caller may write the unit.
    pub chair_phone: Option<String>,
}

/// A request with one unit's obligation, for inboxes and the to-do page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Owed {
    pub request: Request,
    pub target: Target,
}

/// Request rows with totals, for the list of what a unit sent.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Sent {
    pub request: Request,
    pub totals: Rates,
}

/// One step in a target's history.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct RequestEvent {
    pub event_id: i64,
    pub unit_id: i64,
    pub action: String,
    pub revision: i64,
    pub note: Option<String>,
    pub response_values: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub actor_name: String,
}

/// What a step carries besides the action.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    /// Reason of a return or reopening; implementation text; acknowledgement note.
    pub note: Option<String>,
    /// Form values (JSON) of a draft or submission.
    pub values: Option<String>,
    /// The unit's contribution to its ancestors' roll-up for those values (JSON of
    /// key → [total, n, hits]); None when its values do not roll up.
    pub contribution: Option<BTreeMap<String, Tally>>,
    pub files: Vec<NewFile>,
    /// When it happened, for loaders recording past steps (the demo's history); now
    /// when None. Pages and the API never set it.
    pub at: Option<OffsetDateTime>,
}

pub(crate) const REQUEST_SELECT: &str = "SELECT r.request_id, r.kind, r.issuer_unit_id, iu.name AS issuer_name, iu.path AS issuer_path, \
     r.doc_type, r.doc_number, r.title, r.body, r.form_id, r.form_version, r.period, r.period_start, r.period_end, \
     r.issued_on, r.issued_at, r.due_on, r.created_by_name FROM request r JOIN unit iu ON iu.unit_id = r.issuer_unit_id ";

/// The columns of a stored file, without its bytes.
const FILE_SELECT: &str = "SELECT file_id, request_id, unit_id, file_name, mime, size, uploaded_at, uploaded_by FROM request_file";

pub(crate) const TARGET_SELECT: &str = "SELECT t.request_id, t.unit_id, u.code AS unit_code, u.name AS unit_name, u.path AS unit_path, \
     u.type_code AS unit_type, t.via_unit_id, t.inherited_from, t.due_on, t.instructions, t.state, t.acknowledged_at, t.acknowledged_by, \
     t.forwarded_at, t.responded_at, t.on_time, t.approved_at, t.ended_on, t.revision, t.response_text, t.response_values, t.contribution \
     FROM request_target t JOIN unit u ON u.unit_id = t.unit_id ";

fn rule(code: &'static str, field: &'static str, vi: &str, en: &str) -> StoreError {
    StoreError::rule(code, field, vi, en)
}

pub(crate) fn from_domain(e: rq::RequestError) -> StoreError {
    StoreError::Rule {
        code: e.code,
        field: e.field,
        message_vi: e.vi,
        message_en: e.en,
    }
}

/// The ids on a path, root first ("/1/23/456/" → [1, 23, 456]).
pub(crate) fn path_ids(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

/// Pending changes of `request_tally`, summed per (request, unit, key).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TallyDelta(pub(crate) BTreeMap<(i64, i64, String), Tally>);

impl TallyDelta {
    fn add(&mut self, request_id: i64, unit_id: i64, key: &str, t: Tally, sign: i64) {
        if t == [0, 0, 0] {
            return;
        }
        let e = self
            .0
            .entry((request_id, unit_id, key.to_string()))
            .or_default();
        for i in 0..3 {
            e[i] += sign * t[i];
        }
    }

    /// Adds a target's own contribution to every unit strictly above it and to the
    /// request's total (unit 0).
    pub(crate) fn target(
        &mut self,
        request_id: i64,
        path: &str,
        own: &[(String, Tally)],
        sign: i64,
    ) {
        let ids = path_ids(path);
        let above = &ids[..ids.len().saturating_sub(1)];
        for (k, t) in own {
            self.add(request_id, 0, k, *t, sign);
            for &a in above {
                self.add(request_id, a, k, *t, sign);
            }
        }
    }

    /// A subtree's contribution leaves the ancestors on one parent path and joins those
    /// on another (ancestors on both keep it: nothing to write there).
    pub(crate) fn shift(
        &mut self,
        request_id: i64,
        key: &str,
        t: Tally,
        from_parent: &str,
        to_parent: &str,
    ) {
        let (from, to) = (path_ids(from_parent), path_ids(to_parent));
        for a in from.iter().filter(|a| !to.contains(a)) {
            self.add(request_id, *a, key, t, -1);
        }
        for a in to.iter().filter(|a| !from.contains(a)) {
            self.add(request_id, *a, key, t, 1);
        }
    }

    pub(crate) fn rows(&self) -> Vec<(i64, i64, String, Tally)> {
        self.0
            .iter()
            .filter(|(_, t)| **t != [0, 0, 0])
            .map(|((r, u, k), t)| (*r, *u, k.clone(), *t))
            .collect()
    }

    /// Every (request, unit, key) with its tally.
    pub fn entries(&self) -> impl Iterator<Item = (&(i64, i64, String), &Tally)> {
        self.0.iter()
    }

    /// Readable differences, for test failures.
    pub fn differences(&self, other: &TallyDelta) -> Vec<String> {
        let mut out = Vec::new();
        let keys: std::collections::BTreeSet<_> = self.0.keys().chain(other.0.keys()).collect();
        for k in keys {
            let (a, b) = (
                self.0.get(k).copied().unwrap_or_default(),
                other.0.get(k).copied().unwrap_or_default(),
            );
            if a != b {
                out.push(format!(
                    "request {} unit {} key {}: {:?} vs {:?}",
                    k.0, k.1, k.2, a, b
                ));
            }
        }
        out
    }

    fn without_zeros(&self) -> TallyDelta {
        TallyDelta(
            self.0
                .iter()
                .filter(|(_, t)| **t != [0, 0, 0])
                .map(|(k, t)| (k.clone(), *t))
                .collect(),
        )
    }
}

/// Roll-up changes a plan's steps leave, written once when its steps are done: a plan
/// moving 10,000 CĐCS in batches shifts the same ancestors' rows batch after batch
/// (the new union's and the provinces' in every one).
#[derive(Default)]
pub(crate) struct PendingTallies {
    pub(crate) delta: TallyDelta,
    /// Units with pending rows: a batch's moved units rarely are.
    units: std::collections::HashSet<i64>,
}

impl PendingTallies {
    pub(crate) fn add(&mut self, d: TallyDelta) {
        for ((r, u, k), t) in d.0 {
            self.units.insert(u);
            let e = self.delta.0.entry((r, u, k)).or_default();
            for i in 0..3 {
                e[i] += t[i];
            }
        }
    }

    /// The pending rows of the units `at` holds, as (unit, request, key, tally).
    pub(crate) fn of_units<V>(&self, at: &HashMap<i64, V>) -> Vec<(i64, i64, &str, Tally)> {
        if !at.keys().any(|u| self.units.contains(u)) {
            return Vec::new();
        }
        self.delta
            .0
            .iter()
            .filter(|((_, u, _), _)| at.contains_key(u))
            .map(|((r, u, k), t)| (*u, *r, k.as_str(), *t))
            .collect()
    }
}

/// Contributions of moved subtrees summed per (old parent path, new parent path),
/// request and key, before they are shifted.
#[derive(Default)]
pub(crate) struct ShiftSums<'a> {
    sums: HashMap<(&'a str, &'a str), KeySums>,
    /// Moved targets counted per pair, request and what their counters depend on:
    /// a plan moves thousands of CĐCS whose targets mostly share these.
    targets: HashMap<TargetKind<'a>, i64>,
    /// One contribution's entries, reused from target to target.
    entries: Vec<(Cow<'a, str>, Tally)>,
}

/// Per request, per key.
type KeySums = HashMap<i64, HashMap<String, Tally>>;

/// What a moved target's counters depend on: its (old parent, new parent) pair, its
/// request, its facts and its place.
type TargetKind<'a> = ((&'a str, &'a str), i64, TargetFacts, Place<'a>);

/// A roll-up key read from stored JSON: borrowed unless it holds an escape.
#[derive(serde::Deserialize)]
struct JsonKey<'a>(#[serde(borrow)] Cow<'a, str>);

/// Reads a stored contribution (a JSON object of key → tally) into a list, keys
/// borrowed from the text: no map per target.
struct Entries<'v, 'a>(&'v mut Vec<(Cow<'a, str>, Tally)>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for Entries<'_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object of tallies")
    }
    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some((k, t)) = map.next_entry::<JsonKey<'de>, Tally>()? {
            self.0.push((k.0, t));
        }
        Ok(())
    }
}

/// The entries of a stored contribution into `out` (cleared first); false, and `out`
/// empty, if the text is not such an object ([`own_contribution`] then counts nothing).
fn read_entries<'a>(json: &'a str, out: &mut Vec<(Cow<'a, str>, Tally)>) -> bool {
    out.clear();
    let mut de = serde_json::Deserializer::from_str(json);
    let ok =
        serde::Deserializer::deserialize_map(&mut de, Entries(out)).is_ok() && de.end().is_ok();
    if !ok {
        out.clear();
    }
    ok
}

/// Adds `t` to `key`, allocating the key only the first time.
fn add_to(keys: &mut HashMap<String, Tally>, key: &str, t: Tally) {
    let e = match keys.get_mut(key) {
        Some(e) => e,
        None => keys.entry(key.to_string()).or_default(),
    };
    for i in 0..3 {
        e[i] += t[i];
    }
}

impl<'a> ShiftSums<'a> {
    fn keys(&mut self, pair: (&'a str, &'a str), request_id: i64) -> &mut HashMap<String, Tally> {
        self.sums
            .entry(pair)
            .or_default()
            .entry(request_id)
            .or_default()
    }

    /// A stored roll-up row of a moved unit.
    pub(crate) fn add(&mut self, pair: (&'a str, &'a str), request_id: i64, key: &str, t: Tally) {
        add_to(self.keys(pair, request_id), key, t);
    }

    /// A moved unit's own target: its counters are counted with the targets like it
    /// ([`Self::delta`] turns them into keys once per kind); its form values, when
    /// they count ([`own_contribution`]), are summed from the JSON without a map.
    pub(crate) fn add_target(
        &mut self,
        pair: (&'a str, &'a str),
        request_id: i64,
        facts: TargetFacts,
        place: Place<'a>,
        contribution: Option<&'a str>,
    ) {
        // The acknowledgement time only matters through its bucket.
        let place = Place {
            ack_secs: place.ack_secs.map(rq::ack_bucket),
            ..place
        };
        *self
            .targets
            .entry((pair, request_id, facts, place))
            .or_default() += 1;
        if let (true, Some(json)) = (facts.responded, contribution) {
            let mut entries = std::mem::take(&mut self.entries);
            if read_entries(json, &mut entries) {
                let keys = self.keys(pair, request_id);
                for (k, t) in entries.drain(..) {
                    add_to(keys, &k, t);
                }
            }
            self.entries = entries;
        }
    }

    pub(crate) fn delta(mut self) -> TallyDelta {
        for ((pair, r, facts, place), n) in std::mem::take(&mut self.targets) {
            let keys = self.keys(pair, r);
            for (k, t) in own_contribution(&facts, Some(&place), None) {
                add_to(keys, &k, [t[0] * n, t[1] * n, t[2] * n]);
            }
        }
        let mut delta = TallyDelta::default();
        for ((from, to), requests) in self.sums {
            for (r, keys) in requests {
                for (k, t) in keys {
                    delta.shift(r, &k, t, from, to);
                }
            }
        }
        delta
    }
}

/// The columns of a target that make its roll-up contribution, with its unit's path.
#[derive(sqlx::FromRow)]
struct FactsRow {
    path: String,
    unit_type: String,
    issued_at: OffsetDateTime,
    acknowledged_at: Option<OffsetDateTime>,
    class: Option<String>,
    request_id: i64,
    state: String,
    ended: bool,
    responded: bool,
    on_time: bool,
    forwarded: bool,
    contribution: Option<String>,
}

impl FactsRow {
    fn facts(&self) -> TargetFacts {
        TargetFacts {
            state: TargetState::parse(&self.state),
            ended: self.ended,
            responded: self.responded,
            on_time: self.on_time,
            acknowledged: self.acknowledged_at.is_some(),
            forwarded: self.forwarded,
        }
    }
    fn place(&self) -> Place<'_> {
        place_of(
            &self.unit_type,
            self.acknowledged_at,
            self.issued_at,
            self.class.as_deref(),
        )
    }
}

/// Targets with what their contribution depends on: unit, request, assessment result.
pub(crate) const FACTS_FROM: &str = "FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
     JOIN request r ON r.request_id = t.request_id \
     LEFT JOIN assessment_result ar ON ar.request_id = t.request_id AND ar.unit_id = t.unit_id";

const FACTS_COLUMNS: &str = "t.request_id, t.state, t.ended_on IS NOT NULL AS ended, t.responded_at IS NOT NULL AS responded, t.on_time, \
     t.acknowledged_at, t.forwarded_at IS NOT NULL AS forwarded, t.contribution, u.path, u.type_code AS unit_type, r.issued_at, ar.appraised_class AS class";

/// Where a directive is forwarded, with what.
#[derive(Debug, Clone)]
pub struct Forward {
    pub targets: TargetSpec,
    pub instructions: Option<String>,
    pub due_on: Date,
}

/// A target's place from its stored columns: the time to acknowledge counts from the
/// request's issue (never below zero).
pub(crate) fn place_of<'a>(
    unit_type: &'a str,
    acknowledged_at: Option<OffsetDateTime>,
    issued_at: OffsetDateTime,
    class: Option<&'a str>,
) -> Place<'a> {
    Place {
        unit_type,
        ack_secs: acknowledged_at.map(|a| (a - issued_at).whole_seconds().max(0)),
        class,
    }
}

/// A target's own contribution: its counters, with its place (unit type, time to
/// acknowledge) the board's per-type counters, plus its form values' contribution.
/// Readers that only need the counters pass no place; writers always pass it.
pub(crate) fn own_contribution(
    facts: &TargetFacts,
    place: Option<&Place>,
    contribution: Option<&str>,
) -> Vec<(String, Tally)> {
    let mut out: Vec<(String, Tally)> = rq::counters(facts)
        .iter()
        .filter(|(_, n)| *n != 0)
        .map(|(k, n)| ((*k).to_string(), [0, *n, 0]))
        .collect();
    if let Some(place) = place {
        out.extend(
            rq::place_counters(facts, place)
                .into_iter()
                .map(|(k, n)| (k, [0, n, 0])),
        );
    }
    // Only an answer's values count (so never those of a unit that ended unanswered);
    // read as the shift of a move reads them ([`read_entries`]).
    if let (true, Some(json)) = (facts.responded, contribution) {
        let mut entries = Vec::new();
        if read_entries(json, &mut entries) {
            out.extend(entries.into_iter().map(|(k, t)| (k.into_owned(), t)));
        }
    }
    out
}

/// What a newly added target (pending, nothing acknowledged) contributes.
pub(crate) fn pending_contribution(unit_type: &str) -> Vec<(String, Tally)> {
    let facts = TargetFacts {
        state: Some(TargetState::Pending),
        ..Default::default()
    };
    let place = Place {
        unit_type,
        ack_secs: None,
        class: None,
    };
    own_contribution(&facts, Some(&place), None)
}

/// Adds a [`TallyDelta`] to `request_tally` inside transaction `$tx`, in key order.
/// On PostgreSQL the rows go as one JSON array per 10,000 (one bind each: a plan's
/// shift writes hundreds of thousands); on SQLite, whose statements cost no round
/// trip, as 500-row VALUES lists.
macro_rules! apply_tallies {
    ($tx:expr, $delta:expr) => {
        let rows = $delta.rows();
        if $crate::requests::is_postgres(&&mut *$tx) {
            for chunk in rows.chunks(10_000) {
                let json = serde_json::to_string(chunk).map_err(|e| $crate::StoreError::Config(e.to_string()))?;
                sqlx::query("INSERT INTO request_tally (request_id, unit_id, key, total, n, hits) \
                             SELECT (e->>0)::bigint, (e->>1)::bigint, e->>2, (e->3->>0)::bigint, (e->3->>1)::bigint, (e->3->>2)::bigint \
                             FROM jsonb_array_elements($1::jsonb) e \
                             ON CONFLICT (request_id, unit_id, key) DO UPDATE SET total = request_tally.total + excluded.total, \
                             n = request_tally.n + excluded.n, hits = request_tally.hits + excluded.hits")
                    .bind(json).execute(&mut *$tx).await?;
            }
        } else {
            for chunk in rows.chunks(500) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO request_tally (request_id, unit_id, key, total, n, hits) ");
                qb.push_values(chunk, |mut b, (r, u, k, t)| {
                    b.push_bind(*r).push_bind(*u).push_bind(k.clone()).push_bind(t[0]).push_bind(t[1]).push_bind(t[2]);
                });
                qb.push(" ON CONFLICT (request_id, unit_id, key) DO UPDATE SET total = request_tally.total + excluded.total, \
                         n = request_tally.n + excluded.n, hits = request_tally.hits + excluded.hits");
                qb.build().execute(&mut *$tx).await?;
            }
        }
    };
}
pub(crate) use apply_tallies;

/// Whether an executor (a transaction's connection) is PostgreSQL's, for SQL that
/// differs only in speed between the engines.
pub(crate) fn is_postgres<'c, E: sqlx::Executor<'c>>(_: &E) -> bool {
    <E::Database as sqlx::Database>::NAME == "PostgreSQL"
}

/// Shifts the roll-up rows of moved subtrees: `$moves` holds (unit, old parent path,
/// new parent path); each subtree's contribution — its own tally rows (stored, plus
/// what `$pending` holds for them) plus its own targets — leaves the old ancestors and
/// joins the new ones, into `$pending` ([`PendingTallies`]). Called by `move_units!`
/// right after each group of moves is written, so later groups see earlier shifts.
macro_rules! shift_request_tallies {
    ($tx:expr, $pending:expr, $moves:expr) => {{
        let moves: &[(i64, String, String)] = $moves;
        if !moves.is_empty() {
            let ids = moves.iter().map(|(u, _, _)| u.to_string()).collect::<Vec<_>>().join(",");
            let stored: Vec<(i64, i64, String, i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT unit_id, request_id, key, total, n, hits FROM request_tally WHERE unit_id IN ({ids})")))
                .fetch_all(&mut *$tx).await?;
            let own: Vec<(i64, i64, String, bool, bool, bool, Option<time::OffsetDateTime>, bool, Option<String>, String, time::OffsetDateTime, Option<String>)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                // The class looked up per target: joined, PostgreSQL hashed every
                // assessment result of the country for each batch (60 ms at 10M).
                "SELECT t.unit_id, t.request_id, t.state, t.ended_on IS NOT NULL, t.responded_at IS NOT NULL, t.on_time, \
                 t.acknowledged_at, t.forwarded_at IS NOT NULL, t.contribution, u.type_code, r.issued_at, \
                 (SELECT ar.appraised_class FROM assessment_result ar WHERE ar.request_id = t.request_id AND ar.unit_id = t.unit_id) \
                 FROM request_target t JOIN unit u ON u.unit_id = t.unit_id JOIN request r ON r.request_id = t.request_id \
                 WHERE t.unit_id IN ({ids})")))
                .fetch_all(&mut *$tx).await?;
            let at: std::collections::HashMap<i64, (&str, &str)> = moves.iter().map(|(u, f, t)| (*u, (f.as_str(), t.as_str()))).collect();
            // Summed per (old parent, new parent) first: a plan moves thousands of CĐCS
            // between a few hundred parents, each with a year of reports.
            let mut sums = $crate::requests::ShiftSums::default();
            for (u, r, k, total, n, hits) in stored {
                if let Some(pair) = at.get(&u) {
                    sums.add(*pair, r, &k, [total, n, hits]);
                }
            }
            for (u, r, k, t) in $pending.of_units(&at) {
                sums.add(at[&u], r, k, t);
            }
            for (u, r, state, ended, responded, on_time, acknowledged_at, forwarded, contribution, unit_type, issued_at, class) in &own {
                if let Some(&pair) = at.get(u) {
                    let facts = congdoan_domain::request::TargetFacts {
                        state: congdoan_domain::request::TargetState::parse(state), ended: *ended, responded: *responded,
                        on_time: *on_time, acknowledged: acknowledged_at.is_some(), forwarded: *forwarded,
                    };
                    let place = $crate::requests::place_of(unit_type, *acknowledged_at, *issued_at, class.as_deref());
                    sums.add_target(pair, *r, facts, place, contribution.as_deref());
                }
            }
            let delta = sums.delta();
            $pending.add(delta);
        }
    }};
}
pub(crate) use shift_request_tallies;

/// A unit ends on `$on` (merged, split or dissolved): its targets still open and due
/// on or after that day stop being expected; with `$successor`, the successor takes
/// each of them over (unless it already owes that request). The roll-up changes go
/// into the plan's `$pending` ([`PendingTallies`]).
macro_rules! end_request_targets {
    ($tx:expr, $pending:expr, $unit:expr, $successor:expr, $on:expr) => {{
        let (unit, successor, on): (i64, Option<i64>, time::Date) = ($unit, $successor, $on);
        // Open on that day: not answered, due on or after it; ended today by an earlier
        // step of the same plan counts too (the lineage step then names the survivor).
        let open: Vec<(i64, String, Option<i64>, time::Date, Option<String>, String, Option<time::OffsetDateTime>, bool, bool, String, time::OffsetDateTime)> = sqlx::query_as(
            "SELECT t.request_id, u.path, t.via_unit_id, t.due_on, t.instructions, t.state, \
             t.acknowledged_at, t.forwarded_at IS NOT NULL, t.ended_on IS NOT NULL, u.type_code, r.issued_at \
             FROM request_target t JOIN unit u ON u.unit_id = t.unit_id JOIN request r ON r.request_id = t.request_id \
             WHERE t.unit_id = $1 AND (t.ended_on IS NULL OR t.ended_on = $2) AND t.responded_at IS NULL AND t.due_on >= $2")
            .bind(unit).bind(on).fetch_all(&mut *$tx).await?;
        let mut delta = $crate::requests::TallyDelta::default();
        for (r, path, _, _, _, state, acknowledged_at, forwarded, ended, unit_type, issued_at) in &open {
            if !*ended {
                let facts = congdoan_domain::request::TargetFacts {
                    state: congdoan_domain::request::TargetState::parse(state), ended: false, responded: false, on_time: false,
                    acknowledged: acknowledged_at.is_some(), forwarded: *forwarded,
                };
                // Unanswered, so never a published class.
                let place = $crate::requests::place_of(unit_type, *acknowledged_at, *issued_at, None);
                delta.target(*r, path, &$crate::requests::own_contribution(&facts, Some(&place), None), -1);
            }
        }
        sqlx::query("UPDATE request_target SET ended_on = $1 WHERE unit_id = $2 AND ended_on IS NULL AND responded_at IS NULL AND due_on >= $1")
            .bind(on).bind(unit).execute(&mut *$tx).await?;
        if let Some(s) = successor {
            let spath: Option<(String, Option<time::Date>, String)> = sqlx::query_as("SELECT path, ended_on, type_code FROM unit WHERE unit_id = $1")
                .bind(s).fetch_optional(&mut *$tx).await?;
            if let Some((spath, None, stype)) = spath {
                for (r, _, via, due, instructions, _, _, _, _, _, _) in &open {
                    // One heir per obligation (a split's first part), none if it owes it already.
                    let added = sqlx::query("INSERT INTO request_target (request_id, unit_id, via_unit_id, inherited_from, due_on, instructions, state, added_at) \
                                 SELECT $1, $2, $3, $4, $5, $6, 'pending', $7 WHERE NOT EXISTS \
                                 (SELECT 1 FROM request_target x WHERE x.request_id = $1 AND (x.unit_id = $2 OR x.inherited_from = $4))")
                        .bind(*r).bind(s).bind(*via).bind(unit).bind(*due).bind(instructions.clone()).bind($crate::now())
                        .execute(&mut *$tx).await?.rows_affected();
                    if added == 1 {
                        delta.target(*r, &spath, &$crate::requests::pending_contribution(&stype), 1);
                    }
                }
            }
        }
        $pending.add(delta);
    }};
}
pub(crate) use end_request_targets;

impl Store {
    /// Resolves a target set into (unit id, path) of open units, checking the issuer may
    /// address each: its own subtree (itself excluded), a cluster it owns, an agreement it
    /// is party to, or units it coordinates.
    pub(crate) async fn resolve_targets(
        &self,
        scope: &Scope,
        issuer: &crate::Unit,
        spec: &TargetSpec,
    ) -> Result<Vec<(i64, String, String)>> {
        let end = range_end(&issuer.path);
        let mut rows: Vec<(i64, String, String)> = match spec {
            TargetSpec::Subtree { root, types } => {
                let root = self.unit(scope, *root).await?;
                if !root.path.starts_with(&issuer.path) {
                    return Err(rule(
                        "ST1901",
                        "targets",
                        "Chỉ gửi được cho các đơn vị thuộc đơn vị ban hành.",
                        "Targets must lie under the issuing unit.",
                    ));
                }
                let rend = range_end(&root.path);
                let types: Vec<String> = types
                    .iter()
                    .filter(|t| !t.trim().is_empty())
                    .cloned()
                    .collect();
                read!(self, p => {
                    let mut qb = sqlx::QueryBuilder::new("SELECT unit_id, path, type_code FROM unit WHERE path > ");
                    qb.push_bind(root.path.clone()).push(" AND path < ").push_bind(rend).push(" AND ended_on IS NULL");
                    if !types.is_empty() {
                        qb.push(" AND type_code IN (");
                        let mut sep = qb.separated(", ");
                        for t in &types {
                            sep.push_bind(t.clone());
                        }
                        qb.push(")");
                    }
                    qb.push(" ORDER BY path");
                    qb.build_query_as().fetch_all(p).await
                })?
            }
            TargetSpec::Cluster { cluster_id } => {
                let owner: Option<String> = read!(self, p => sqlx::query_scalar("SELECT path FROM emulation_cluster WHERE cluster_id = $1")
                    .bind(cluster_id).fetch_optional(p).await)?;
                match owner {
                    Some(path) if path.starts_with(&issuer.path) && scope.can_read(&path) => {}
                    _ => {
                        return Err(rule(
                            "ST1902",
                            "targets",
                            "Không tìm thấy cụm, khối thi đua của đơn vị ban hành.",
                            "No such cluster of the issuing unit.",
                        ));
                    }
                }
                read!(self, p => sqlx::query_as("SELECT u.unit_id, u.path, u.type_code FROM cluster_unit cu JOIN unit u ON u.unit_id = cu.unit_id \
                     WHERE cu.cluster_id = $1 AND u.ended_on IS NULL ORDER BY u.path").bind(cluster_id).fetch_all(p).await)?
            }
            TargetSpec::Agreement { agreement_id } => {
                let parties: Option<(i64, i64)> = read!(self, p => sqlx::query_as("SELECT party_a_id, party_b_id FROM coordination_agreement WHERE agreement_id = $1")
                    .bind(agreement_id).fetch_optional(p).await)?;
                match parties {
                    Some((a, b)) if a == issuer.unit_id || b == issuer.unit_id => {}
                    _ => {
                        return Err(rule(
                            "ST1903",
                            "targets",
                            "Đơn vị ban hành không là bên nào của thỏa thuận phối hợp này.",
                            "The issuing unit is not a party to this agreement.",
                        ));
                    }
                }
                read!(self, p => sqlx::query_as("SELECT DISTINCT u.unit_id, u.path, u.type_code FROM unit_link l JOIN unit u ON u.unit_id = l.unit_id \
                     WHERE l.agreement_id = $1 AND l.valid_to IS NULL AND u.ended_on IS NULL ORDER BY u.path").bind(agreement_id).fetch_all(p).await)?
            }
            TargetSpec::Units { units } => {
                let mut out = Vec::with_capacity(units.len());
                for &id in units {
                    let u = self.unit(scope, id).await?;
                    let coordinated: bool = read!(self, p => sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM unit_link WHERE unit_id = $1 AND coordinator_id = $2 AND valid_to IS NULL)")
                        .bind(id).bind(issuer.unit_id).fetch_one(p).await)?;
                    let inside =
                        u.path.starts_with(&issuer.path) && u.path != issuer.path && u.path < end;
                    if !(inside || coordinated) || u.ended_on.is_some() {
                        return Err(rule(
                            "ST1904",
                            "targets",
                            &format!(
                                "Không gửi được cho {}: đơn vị không thuộc đơn vị ban hành hoặc đã kết thúc.",
                                u.name
                            ),
                            &format!(
                                "Cannot send to {}: not under the issuing unit, or ended.",
                                u.name
                            ),
                        ));
                    }
                    out.push((u.unit_id, u.path, u.type_code));
                }
                out
            }
        };
        rows.sort_by(|a, b| a.1.cmp(&b.1));
        rows.dedup_by_key(|r| r.0);
        if rows.is_empty() {
            return Err(rule(
                "ST1905",
                "targets",
                "Không có đơn vị nào nhận: hãy chọn đơn vị hoặc loại đơn vị khác.",
                "No unit would receive it: choose other units or types.",
            ));
        }
        if rows.len() > MAX_TARGETS {
            return Err(rule(
                "ST1906",
                "targets",
                &format!("Quá nhiều đơn vị nhận (tối đa {MAX_TARGETS})."),
                &format!("Too many recipients (at most {MAX_TARGETS})."),
            ));
        }
        Ok(rows)
    }

    /// Writes a request, its targets (each expected once, counted up its ancestors) and
    /// its files in one transaction.
    pub(crate) async fn send_request(&self, scope: &Scope, req: NewRequest) -> Result<i64> {
        self.send_request_with(scope, req, None).await
    }

    /// [`Store::send_request`], also writing the row of what the request belongs to in
    /// the same transaction (a movement and its registration request commit together).
    pub(crate) async fn send_request_with(
        &self,
        scope: &Scope,
        req: NewRequest,
        movement: Option<&crate::movements::MovementRow>,
    ) -> Result<i64> {
        scope.check_write(&req.issuer.path)?;
        if req.issuer.ended_on.is_some() {
            return Err(rule(
                "ST1918",
                "issuer",
                &format!(
                    "«{}» đã kết thúc hoạt động, không ban hành được nữa.",
                    req.issuer.name
                ),
                &format!("{} has ended and cannot issue anything.", req.issuer.name),
            ));
        }
        let targets = self
            .resolve_targets(scope, &req.issuer, &req.targets)
            .await?;
        let spec =
            serde_json::to_string(&req.targets).map_err(|e| StoreError::Config(e.to_string()))?;
        // A request recorded after the fact is dated 08:00 (Vietnam) of its day.
        let at = if req.issued_on < congdoan_domain::date::today_vn() {
            req.issued_on
                .with_hms(1, 0, 0)
                .map(|d| d.assume_utc())
                .unwrap_or_else(|_| now())
        } else {
            now()
        };
        let mut delta = TallyDelta::default();
        let id: i64 = write!(self, p => {
            let mut tx = p.begin().await?;
            let (doc_type, doc_year, doc_seq, doc_number) = match &req.doc {
                Some((t, y, s, n)) => (Some(t.clone()), Some(*y), Some(*s), Some(n.clone())),
                None => (None, None, None, None),
            };
            let (period, pstart, pend) = match &req.period {
                Some((c, s, e)) => (Some(c.clone()), Some(*s), Some(*e)),
                None => (None, None, None),
            };
            let id: i64 = sqlx::query_scalar("INSERT INTO request (kind, issuer_unit_id, doc_type, doc_year, doc_seq, doc_number, title, search_key, body, \
                 form_id, form_version, period, period_start, period_end, issued_on, issued_at, due_on, target_spec, created_by, created_by_name) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING request_id")
                .bind(req.kind.code()).bind(req.issuer.unit_id).bind(doc_type).bind(doc_year).bind(doc_seq).bind(doc_number.clone())
                .bind(&req.title).bind(fold(&req.title)).bind(&req.body).bind(req.form.map(|f| f.0)).bind(req.form.map(|f| f.1))
                .bind(period).bind(pstart).bind(pend).bind(req.issued_on).bind(at).bind(req.due_on).bind(&spec)
                .bind(scope.actor().account_id).bind(scope.actor().username.clone())
                .fetch_one(&mut *tx).await.map_err(|e| match StoreError::from(e) {
                    StoreError::Duplicate { .. } => rule("ST1907", "seq", "Số văn bản này của đơn vị đã được dùng trong năm.", "This document number is already used this year."),
                    other => other,
                })?;
            for chunk in targets.chunks(1000) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO request_target (request_id, unit_id, due_on, state, added_at) ");
                qb.push_values(chunk, |mut b, (u, _, _)| {
                    b.push_bind(id).push_bind(*u).push_bind(req.due_on).push_bind("pending").push_bind(at);
                });
                qb.build().execute(&mut *tx).await?;
            }
            for (_, path, unit_type) in &targets {
                delta.target(id, path, &pending_contribution(unit_type), 1);
            }
            apply_tallies!(tx, delta);
            for (f, mime) in &req.files {
                sqlx::query("INSERT INTO request_file (request_id, unit_id, file_name, mime, size, bytes, uploaded_at, uploaded_by) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(id).bind(req.issuer.unit_id).bind(&f.name).bind(*mime).bind(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX))
                    .bind(&f.bytes).bind(at).bind(scope.actor().username.clone()).execute(&mut *tx).await?;
            }
            if let Some(m) = movement {
                crate::movements::insert_movement!(tx, scope, id, m, at);
            }
            let what = doc_number.map(|n| format!("Số {n}: ")).unwrap_or_default();
            audit!(&mut *tx, scope, "send", "request", Some(id), &req.issuer.path,
                format!("Gửi {}{} tới {} đơn vị", what, req.title, targets.len()), None, None);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// Issues a directive (numbered per issuer, type and year) to a target set.
    #[tracing::instrument(skip(self, scope, input), fields(issuer = input.issuer_unit_id))]
    pub async fn issue_directive(&self, scope: &Scope, input: NewDirective) -> Result<Request> {
        let issuer = self.unit(scope, input.issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let doc_type = rq::parse_doc_type(&input.doc_type).map_err(from_domain)?;
        let title = nfc(input.title.trim());
        if title.chars().count() < 5 {
            return Err(rule(
                "ST1908",
                "title",
                "Ghi trích yếu nội dung văn bản (ít nhất 5 ký tự).",
                "Give the document's summary (at least 5 characters).",
            ));
        }
        if title.chars().count() > 500 {
            return Err(rule(
                "ST1909",
                "title",
                "Trích yếu dài quá 500 ký tự.",
                "The summary is over 500 characters.",
            ));
        }
        if input.due_on < input.issued_on {
            return Err(rule(
                "ST1910",
                "due_on",
                "Hạn báo cáo phải sau ngày ban hành.",
                "The due date must follow the issue date.",
            ));
        }
        let body = input.body.map(|b| nfc(b.trim())).filter(|b| !b.is_empty());
        if body.as_ref().is_some_and(|b| b.len() > 20_000) {
            return Err(rule(
                "ST1911",
                "body",
                "Nội dung dài quá 20.000 ký tự; hãy đính kèm tệp.",
                "The text is over 20,000 characters; attach a file.",
            ));
        }
        let files = check_files(input.files, rq::MAX_FILES_PER_TARGET)?;
        let year = i64::from(input.issued_on.year());
        let seq = match input.seq {
            Some(s) if s > 0 && s < 1_000_000 => s,
            Some(_) => {
                return Err(rule(
                    "ST1912",
                    "seq",
                    "Số văn bản phải là số nguyên dương.",
                    "The number must be a positive integer.",
                ));
            }
            None => {
                let max: Option<i64> = read!(self, p => sqlx::query_scalar(
                    "SELECT MAX(doc_seq) FROM request WHERE issuer_unit_id = $1 AND doc_type = $2 AND doc_year = $3")
                    .bind(issuer.unit_id).bind(doc_type).bind(year).fetch_one(p).await)?;
                max.unwrap_or(0) + 1
            }
        };
        let abbrev = input
            .issuer_abbrev
            .map(|a| nfc(a.trim()))
            .filter(|a| !a.is_empty() && a.chars().count() <= 20)
            .unwrap_or_else(|| rq::issuer_abbrev(&issuer.type_code).to_string());
        let number = rq::format_doc_number(seq, doc_type, &abbrev);
        let id = self
            .send_request(
                scope,
                NewRequest {
                    kind: RequestKind::Directive,
                    issuer,
                    doc: Some((doc_type.to_string(), year, seq, number)),
                    title,
                    body,
                    form: None,
                    period: None,
                    issued_on: input.issued_on,
                    due_on: input.due_on,
                    targets: input.targets,
                    files,
                },
            )
            .await?;
        Ok(self.request(scope, id).await?.request)
    }

    /// The next free number of a document type for an issuer in a year (shown in the form).
    pub async fn next_doc_seq(
        &self,
        issuer_unit_id: i64,
        doc_type: &str,
        year: i64,
    ) -> Result<i64> {
        let max: Option<i64> = read!(self, p => sqlx::query_scalar(
            "SELECT MAX(doc_seq) FROM request WHERE issuer_unit_id = $1 AND doc_type = $2 AND doc_year = $3")
            .bind(issuer_unit_id).bind(doc_type).bind(year).fetch_one(p).await)?;
        Ok(max.unwrap_or(0) + 1)
    }

    async fn request_row(&self, request_id: i64) -> Result<Request> {
        Ok(
            read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{REQUEST_SELECT} WHERE r.request_id = $1")))
            .bind(request_id).fetch_one(p).await)?,
        )
    }

    /// Whether the caller reads any target of a request.
    async fn reads_a_target(&self, scope: &Scope, request_id: i64) -> Result<bool> {
        if scope.is_admin() {
            return Ok(true);
        }
        let hit: Option<i64> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new("SELECT t.unit_id FROM request_target t JOIN unit u ON u.unit_id = t.unit_id WHERE t.request_id = ");
            qb.push_bind(request_id).push(" AND ");
            scope.push_read_filter(&mut qb, "u.path");
            qb.push(" LIMIT 1");
            qb.build_query_scalar().fetch_optional(p).await
        })?;
        Ok(hit.is_some())
    }

    /// Whether a coordinated unit (or a unit above it) is linked to one of the caller's
    /// own units by a plain coordinating link or an agreement that shares information.
    async fn shares_information(&self, scope: &Scope, path: &str) -> Result<bool> {
        let ids = path_ids(path)
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        if ids.is_empty() {
            return Ok(false);
        }
        let hit: Option<i64> = read!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "SELECT l.link_id FROM unit_link l LEFT JOIN coordination_agreement a ON a.agreement_id = l.agreement_id \
                 JOIN unit c ON c.unit_id = l.coordinator_id WHERE l.unit_id IN ({ids}) AND l.valid_to IS NULL \
                 AND (l.agreement_id IS NULL OR (',' || a.scope_items || ',') LIKE '%,info,%') AND "));
            scope.push_granted_filter(&mut qb, "c.path");
            qb.push(" LIMIT 1");
            qb.build_query_scalar().fetch_optional(p).await
        })?;
        Ok(hit.is_some())
    }

    /// A request the caller may see: it reads the issuer or one of the targets.
    #[tracing::instrument(skip(self, scope))]
    pub async fn request(&self, scope: &Scope, request_id: i64) -> Result<RequestDetail> {
        let request = self.request_row(request_id).await?;
        let issuer_view = scope.can_read(&request.issuer_path);
        if !issuer_view && !self.reads_a_target(scope, request_id).await? {
            return Err(StoreError::NotFound);
        }
        let totals = self.rates_at(request_id, 0).await?;
        let files = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FILE_SELECT} WHERE request_id = $1 AND unit_id = $2 ORDER BY file_id")))
            .bind(request_id).bind(request.issuer_unit_id).fetch_all(p).await)?;
        Ok(RequestDetail {
            request,
            totals,
            files,
            issuer_view,
        })
    }

    pub(crate) async fn rates_at(&self, request_id: i64, unit_id: i64) -> Result<Rates> {
        let rows: Vec<(String, i64)> = read!(self, p => sqlx::query_as(
            "SELECT key, n FROM request_tally WHERE request_id = $1 AND unit_id = $2 AND key LIKE '#%'")
            .bind(request_id).bind(unit_id).fetch_all(p).await)?;
        Ok(Rates::from_counts(
            rows.iter().map(|(k, n)| (k.as_str(), *n)),
        ))
    }

    /// One unit's target of a request, if the caller reads the unit (or the issuer).
    #[tracing::instrument(skip(self, scope))]
    pub async fn request_target(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Target> {
        let t: Target = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{TARGET_SELECT} WHERE t.request_id = $1 AND t.unit_id = $2")))
            .bind(request_id).bind(unit_id).fetch_one(p).await)?;
        // A partner reads a covered unit's responses only under an agreement that
        // shares information (scope item "info"), or a plain coordinating link.
        if scope.can_read(&t.unit_path)
            && (!scope.is_coordinated(&t.unit_path)
                || self.shares_information(scope, &t.unit_path).await?)
        {
            return Ok(t);
        }
        let r = self.request_row(request_id).await?;
        scope.check_read(&r.issuer_path)?;
        Ok(t)
    }

    /// A target's history, oldest first.
    pub async fn request_events(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Vec<RequestEvent>> {
        self.request_target(scope, request_id, unit_id).await?;
        Ok(
            read!(self, p => sqlx::query_as("SELECT event_id, unit_id, action, revision, note, response_values, at, actor_name \
             FROM request_event WHERE request_id = $1 AND unit_id = $2 ORDER BY event_id")
            .bind(request_id).bind(unit_id).fetch_all(p).await)?,
        )
    }

    /// Files a target unit attached to its response.
    pub async fn response_files(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Vec<RequestFile>> {
        self.request_target(scope, request_id, unit_id).await?;
        Ok(
            read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FILE_SELECT} WHERE request_id = $1 AND unit_id = $2 ORDER BY file_id")))
            .bind(request_id).bind(unit_id).fetch_all(p).await)?,
        )
    }

    /// A stored file with its bytes, if the caller may see the request (the issuer's
    /// document) or the unit's response (evidence).
    pub async fn request_file(
        &self,
        scope: &Scope,
        file_id: i64,
    ) -> Result<(RequestFile, Vec<u8>)> {
        let f: RequestFile = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{FILE_SELECT} WHERE file_id = $1"))).bind(file_id).fetch_one(p).await)?;
        let detail = self.request(scope, f.request_id).await?;
        if f.unit_id != detail.request.issuer_unit_id {
            self.request_target(scope, f.request_id, f.unit_id).await?;
        }
        let bytes: Vec<u8> = read!(self, p => sqlx::query_scalar("SELECT bytes FROM request_file WHERE file_id = $1")
            .bind(file_id).fetch_one(p).await)?;
        Ok((f, bytes))
    }

    /// What a unit owes: its targets, newest deadline first (open ones first).
    #[tracing::instrument(skip(self, scope))]
    pub async fn requests_owed(
        &self,
        scope: &Scope,
        unit_id: i64,
        kind: Option<RequestKind>,
        open_only: bool,
        limit: i64,
    ) -> Result<Vec<Owed>> {
        self.unit(scope, unit_id).await?;
        let rows: Vec<Target> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TARGET_SELECT} JOIN request r ON r.request_id = t.request_id WHERE t.unit_id = $1 AND ($2 IS NULL OR r.kind = $2) \
             AND ($3 = FALSE OR (t.ended_on IS NULL AND t.state IN ('pending','draft','returned','acknowledged'))) \
             ORDER BY t.due_on DESC, t.request_id DESC LIMIT $4")))
            .bind(unit_id).bind(kind.map(|k| k.code())).bind(open_only).bind(limit).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for t in rows {
            let request = self.request_row(t.request_id).await?;
            out.push(Owed { request, target: t });
        }
        Ok(out)
    }

    /// What a unit sent, newest first, with totals.
    #[tracing::instrument(skip(self, scope))]
    pub async fn requests_sent(
        &self,
        scope: &Scope,
        unit_id: i64,
        kind: Option<RequestKind>,
        limit: i64,
    ) -> Result<Vec<Sent>> {
        self.unit(scope, unit_id).await?;
        let rows: Vec<Request> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{REQUEST_SELECT} WHERE r.issuer_unit_id = $1 AND ($2 IS NULL OR r.kind = $2) ORDER BY r.issued_at DESC, r.request_id DESC LIMIT $3")))
            .bind(unit_id).bind(kind.map(|k| k.code())).bind(limit).fetch_all(p).await)?;
        let mut out = Vec::with_capacity(rows.len());
        for request in rows {
            let totals = self.rates_at(request.request_id, 0).await?;
            out.push(Sent { request, totals });
        }
        Ok(out)
    }

    /// Takes a step on a target: the unit's own (draft, submit, acknowledge, implement)
    /// need write access to the unit; the reviewer's (return, approve, reopen) need write
    /// access to the unit that sent it there (the issuer, or the forwarding unit).
    #[tracing::instrument(skip(self, scope, input), fields(action = action.code()))]
    pub async fn request_step(
        &self,
        scope: &Scope,
        request_id: i64,
        unit_id: i64,
        action: Action,
        input: StepInput,
        today: Date,
    ) -> Result<Target> {
        let request = self.request_row(request_id).await?;
        let target = self.request_target(scope, request_id, unit_id).await?;
        if action.by_reviewer() {
            let reviewer = target.via_unit_id.unwrap_or(request.issuer_unit_id);
            let reviewer = self.unit(scope, reviewer).await?;
            scope.check_write(&reviewer.path)?;
        } else {
            scope.check_write(&target.unit_path)?;
        }
        if target.ended_on.is_some() {
            return Err(rule(
                "ST1913",
                "state",
                "Đơn vị đã kết thúc hoạt động; nghĩa vụ này đã chuyển cho đơn vị kế thừa.",
                "The unit has ended; its successor took this over.",
            ));
        }
        let next = rq::next_state(request.kind(), target.state(), action).map_err(from_domain)?;
        let note = input.note.map(|n| nfc(n.trim())).filter(|n| !n.is_empty());
        if matches!(action, Action::Return | Action::Reopen)
            && note.as_ref().is_none_or(|n| n.chars().count() < 5)
        {
            return Err(rule(
                "ST1914",
                "note",
                "Ghi lý do (ít nhất 5 ký tự) để đơn vị biết cần sửa gì.",
                "Give the reason (at least 5 characters) so the unit knows what to correct.",
            ));
        }
        if action == Action::Implement && note.is_none() && input.files.is_empty() {
            return Err(rule(
                "ST1915",
                "note",
                "Ghi kết quả thực hiện hoặc đính kèm tệp.",
                "Describe the implementation or attach a file.",
            ));
        }
        if note.as_ref().is_some_and(|n| n.len() > 20_000) {
            return Err(rule(
                "ST1911",
                "note",
                "Nội dung dài quá 20.000 ký tự; hãy đính kèm tệp.",
                "The text is over 20,000 characters; attach a file.",
            ));
        }
        let files = check_files(input.files, rq::MAX_FILES_PER_TARGET)?;
        // An assessment's appraised class counts once published (it cannot change
        // while published, so one reading serves before and after).
        let class: Option<String> = if request.kind() == RequestKind::Assessment {
            read!(self, p => sqlx::query_scalar(
                "SELECT appraised_class FROM assessment_result WHERE request_id = $1 AND unit_id = $2")
                .bind(request_id).bind(unit_id).fetch_optional(p).await)?
            .flatten()
        } else {
            None
        };
        let at = input.at.unwrap_or_else(now);
        let actor = scope.actor().username.clone();
        let mut after = target.clone();
        after.state = next.code().to_string();
        let mut new_contribution = target.contribution.clone();
        match action {
            Action::Acknowledge => {
                after.acknowledged_at = Some(at);
                after.acknowledged_by = Some(actor.clone());
            }
            Action::SaveDraft => {
                after.response_values = input.values.clone().or(after.response_values);
            }
            Action::Submit => {
                after.response_values = input.values.clone().or(after.response_values);
                if after.responded_at.is_none() {
                    after.responded_at = Some(at);
                    after.on_time = rq::is_on_time(today, target.due_on);
                }
                new_contribution = match &input.contribution {
                    Some(c) => Some(
                        serde_json::to_string(c).map_err(|e| StoreError::Config(e.to_string()))?,
                    ),
                    None => None,
                };
            }
            Action::Implement => {
                after.response_text = note.clone();
                if after.acknowledged_at.is_none() {
                    after.acknowledged_at = Some(at);
                    after.acknowledged_by = Some(actor.clone());
                }
                if after.responded_at.is_none() {
                    after.responded_at = Some(at);
                    after.on_time = rq::is_on_time(today, target.due_on);
                }
            }
            Action::Approve => after.approved_at = Some(at),
            Action::Return | Action::Reopen => after.approved_at = None,
            Action::Forward => {}
        }
        after.contribution = new_contribution.clone();
        let mut delta = TallyDelta::default();
        delta.target(
            request_id,
            &target.unit_path,
            &own_contribution(
                &target.facts(),
                Some(&target.place(request.issued_at, class.as_deref())),
                target.contribution.as_deref(),
            ),
            -1,
        );
        delta.target(
            request_id,
            &target.unit_path,
            &own_contribution(
                &after.facts(),
                Some(&after.place(request.issued_at, class.as_deref())),
                after.contribution.as_deref(),
            ),
            1,
        );
        let revision =
            target.revision + i64::from(matches!(action, Action::Submit | Action::Implement));
        write!(self, p => {
            let mut tx = p.begin().await?;
            let changed = sqlx::query("UPDATE request_target SET state = $1, acknowledged_at = $2, acknowledged_by = $3, responded_at = $4, on_time = $5, \
                 approved_at = $6, response_values = $7, response_text = $8, contribution = $9, revision = $10 \
                 WHERE request_id = $11 AND unit_id = $12 AND state = $13 AND revision = $14")
                .bind(&after.state).bind(after.acknowledged_at).bind(&after.acknowledged_by).bind(after.responded_at).bind(after.on_time)
                .bind(after.approved_at).bind(&after.response_values).bind(&after.response_text).bind(&after.contribution).bind(revision)
                .bind(request_id).bind(unit_id).bind(&target.state).bind(target.revision)
                .execute(&mut *tx).await?.rows_affected();
            if changed != 1 {
                return Err(StoreError::Conflict);
            }
            apply_tallies!(tx, delta);
            sqlx::query("INSERT INTO request_event (request_id, unit_id, action, revision, note, response_values, at, account_id, actor_name) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(request_id).bind(unit_id).bind(action.code()).bind(revision).bind(&note)
                .bind(if matches!(action, Action::Submit | Action::SaveDraft) { after.response_values.clone() } else { None })
                .bind(at).bind(scope.actor().account_id).bind(&actor).execute(&mut *tx).await?;
            for (f, mime) in &files {
                sqlx::query("INSERT INTO request_file (request_id, unit_id, file_name, mime, size, bytes, uploaded_at, uploaded_by) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(request_id).bind(unit_id).bind(&f.name).bind(*mime).bind(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX))
                    .bind(&f.bytes).bind(at).bind(&actor).execute(&mut *tx).await?;
            }
            if !matches!(action, Action::SaveDraft) {
                audit!(&mut *tx, scope, format!("request_{}", action.code()), "request", Some(request_id), &target.unit_path,
                    format!("{} — {}: {}", request.doc_number.clone().unwrap_or_else(|| request.title.clone()), target.unit_name, next.name_vi()),
                    None, note.clone().map(|n| serde_json::json!({ "note": n })));
            }
            tx.commit().await?;
        });
        self.request_target(scope, request_id, unit_id).await
    }

    /// Forwards a directive from a target unit down to units of its own subtree, with its
    /// own instructions and due date: they join the same propagation tree (via the unit).
    #[tracing::instrument(skip(self, scope, forward))]
    pub async fn forward_request(
        &self,
        scope: &Scope,
        request_id: i64,
        from_unit_id: i64,
        forward: Forward,
        today: Date,
    ) -> Result<usize> {
        let Forward {
            targets,
            instructions,
            due_on,
        } = forward;
        let request = self.request_row(request_id).await?;
        if request.kind() != RequestKind::Directive {
            return Err(rule(
                "ST1916",
                "kind",
                "Chỉ văn bản chỉ đạo mới chuyển tiếp được.",
                "Only directives can be forwarded.",
            ));
        }
        let target = self.request_target(scope, request_id, from_unit_id).await?;
        scope.check_write(&target.unit_path)?;
        if target.ended_on.is_some() {
            return Err(rule(
                "ST1913",
                "state",
                "Đơn vị đã kết thúc hoạt động; nghĩa vụ này đã chuyển cho đơn vị kế thừa.",
                "The unit has ended; its successor took this over.",
            ));
        }
        if due_on < today {
            return Err(rule(
                "ST1910",
                "due_on",
                "Hạn phải từ hôm nay trở đi.",
                "The due date must be today or later.",
            ));
        }
        let from = self.unit(scope, from_unit_id).await?;
        let resolved = self.resolve_targets(scope, &from, &targets).await?;
        let class: Option<String> = None; // Directives have no class.
        let instructions = instructions
            .map(|i| nfc(i.trim()))
            .filter(|i| !i.is_empty());
        let at = now();
        let actor = scope.actor().username.clone();
        let added = write!(self, p => {
            let mut tx = p.begin().await?;
            let mut delta = TallyDelta::default();
            let mut added = 0usize;
            for chunk in resolved.chunks(1000) {
                let mut qb = sqlx::QueryBuilder::new("INSERT INTO request_target (request_id, unit_id, via_unit_id, due_on, instructions, state, added_at) ");
                qb.push_values(chunk, |mut b, (u, _, _)| {
                    b.push_bind(request_id).push_bind(*u).push_bind(from_unit_id).push_bind(due_on).push_bind(instructions.clone())
                        .push_bind("pending").push_bind(at);
                });
                qb.push(" ON CONFLICT (request_id, unit_id) DO NOTHING RETURNING unit_id");
                let ids: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
                let set: std::collections::HashSet<i64> = ids.into_iter().collect();
                for (u, path, unit_type) in chunk {
                    if set.contains(u) {
                        delta.target(request_id, path, &pending_contribution(unit_type), 1);
                        added += 1;
                    }
                }
            }
            // Forwarding implies having received it.
            let before = own_contribution(&target.facts(), Some(&target.place(request.issued_at, class.as_deref())), target.contribution.as_deref());
            let mut after = target.clone();
            if after.acknowledged_at.is_none() {
                after.acknowledged_at = Some(at);
                after.acknowledged_by = Some(actor.clone());
                if after.state() == TargetState::Pending {
                    after.state = TargetState::Acknowledged.code().into();
                }
            }
            after.forwarded_at = Some(after.forwarded_at.unwrap_or(at));
            delta.target(request_id, &target.unit_path, &before, -1);
            delta.target(request_id, &target.unit_path, &own_contribution(&after.facts(), Some(&after.place(request.issued_at, class.as_deref())), after.contribution.as_deref()), 1);
            sqlx::query("UPDATE request_target SET state = $1, acknowledged_at = $2, acknowledged_by = $3, forwarded_at = $4 WHERE request_id = $5 AND unit_id = $6")
                .bind(&after.state).bind(after.acknowledged_at).bind(&after.acknowledged_by).bind(after.forwarded_at)
                .bind(request_id).bind(from_unit_id).execute(&mut *tx).await?;
            apply_tallies!(tx, delta);
            sqlx::query("INSERT INTO request_event (request_id, unit_id, action, revision, note, at, account_id, actor_name) \
                         VALUES ($1, $2, 'forward', $3, $4, $5, $6, $7)")
                .bind(request_id).bind(from_unit_id).bind(target.revision)
                .bind(Some(format!("{added} đơn vị{}", instructions.as_ref().map(|i| format!(": {i}")).unwrap_or_default())))
                .bind(at).bind(scope.actor().account_id).bind(&actor).execute(&mut *tx).await?;
            audit!(&mut *tx, scope, "request_forward", "request", Some(request_id), &target.unit_path,
                format!("{} — {} chuyển tiếp tới {added} đơn vị", request.doc_number.clone().unwrap_or_else(|| request.title.clone()), target.unit_name), None, None);
            tx.commit().await?;
            added
        });
        Ok(added)
    }

    /// The issuer's direct targets outside its subtree (cluster members, units an
    /// agreement covers), each with what it forwarded below it.
    async fn outside_rows(&self, request_id: i64, path: &str) -> Result<Vec<BoardRow>> {
        let targets: Vec<Target> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TARGET_SELECT} WHERE t.request_id = $1 AND t.via_unit_id IS NULL \
             AND NOT (u.path >= $2 AND u.path < $3) ORDER BY u.name LIMIT {BOARD_PAGE}")))
            .bind(request_id).bind(path).bind(crate::scope::range_end(path)).fetch_all(p).await)?;
        if targets.is_empty() {
            return Ok(Vec::new());
        }
        let ids = targets
            .iter()
            .map(|t| t.unit_id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let tallies: Vec<(i64, String, i64)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT unit_id, key, n FROM request_tally WHERE request_id = $1 AND unit_id IN ({ids}) AND key LIKE '#%'")))
            .bind(request_id).fetch_all(p).await)?;
        let mut below: BTreeMap<i64, Rates> = BTreeMap::new();
        for (u, k, n) in &tallies {
            below
                .entry(*u)
                .or_default()
                .add(&Rates::from_counts([(k.as_str(), *n)]));
        }
        let mut rows = Vec::with_capacity(targets.len());
        for t in targets {
            let sub = below.get(&t.unit_id).copied().unwrap_or_default();
            let mut rates = sub;
            rates.add(&Rates::from_counts(
                own_contribution(&t.facts(), None, None)
                    .iter()
                    .map(|(k, n)| (k.as_str(), n[1])),
            ));
            rows.push(BoardRow {
                unit_id: t.unit_id,
                code: t.unit_code.clone(),
                name: t.unit_name.clone(),
                type_code: t.unit_type.clone(),
                ended: t.ended_on.is_some(),
                rates,
                has_below: sub.expected > 0,
                own: Some(t),
                outside: true,
            });
        }
        Ok(rows)
    }

    /// The board of a request at one level: the level's counters, its own target, and
    /// one row per unit directly below it that has targets in its subtree.
    #[tracing::instrument(skip(self, scope))]
    pub async fn request_board(
        &self,
        scope: &Scope,
        request_id: i64,
        level_unit_id: Option<i64>,
    ) -> Result<Board> {
        let detail = self.request(scope, request_id).await?;
        let level_id = level_unit_id.unwrap_or(detail.request.issuer_unit_id);
        let level = self.unit(scope, level_id).await?;
        let own = self.request_target(scope, request_id, level_id).await.ok();
        let at_issuer = level_id == detail.request.issuer_unit_id;
        // At the issuer's level, every target counts (unit 0 of the roll-up), those
        // outside its subtree included.
        let mut rates = self
            .rates_at(request_id, if at_issuer { 0 } else { level_id })
            .await?;
        if let (Some(o), false) = (&own, at_issuer) {
            rates.add(&Rates::from_counts(
                own_contribution(&o.facts(), None, None)
                    .iter()
                    .map(|(k, t)| (k.as_str(), t[1])),
            ));
        }
        let total: i64 = read!(self, p => sqlx::query_scalar(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM unit u WHERE u.parent_id = $2 AND (\
             EXISTS (SELECT 1 FROM request_tally g WHERE g.request_id = $1 AND g.unit_id = u.unit_id AND g.key = '#expected' AND g.n > 0) \
             OR EXISTS (SELECT 1 FROM request_target t WHERE t.request_id = $1 AND t.unit_id = u.unit_id))")
            .bind(request_id).bind(level_id).fetch_one(p).await)?;
        let children: Vec<(i64, String, String, String, bool)> = read!(self, p => sqlx::query_as(
            "SELECT u.unit_id, u.code, u.name, u.type_code, u.ended_on IS NOT NULL FROM unit u WHERE u.parent_id = $2 AND (\
             EXISTS (SELECT 1 FROM request_tally g WHERE g.request_id = $1 AND g.unit_id = u.unit_id AND g.key = '#expected' AND g.n > 0) \
             OR EXISTS (SELECT 1 FROM request_target t WHERE t.request_id = $1 AND t.unit_id = u.unit_id)) ORDER BY u.name LIMIT $3")
            .bind(request_id).bind(level_id).bind(BOARD_PAGE).fetch_all(p).await)?;
        let ids = children
            .iter()
            .map(|c| c.0.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let (tallies, targets): (Vec<(i64, String, i64)>, Vec<Target>) = if ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT unit_id, key, n FROM request_tally WHERE request_id = $1 AND unit_id IN ({ids}) AND key LIKE '#%'")))
                    .bind(request_id).fetch_all(p).await)?,
                read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("{TARGET_SELECT} WHERE t.request_id = $1 AND t.unit_id IN ({ids})")))
                    .bind(request_id).fetch_all(p).await)?,
            )
        };
        let mut below: BTreeMap<i64, Rates> = BTreeMap::new();
        for (u, k, n) in &tallies {
            below
                .entry(*u)
                .or_default()
                .add(&Rates::from_counts([(k.as_str(), *n)]));
        }
        let mut own_of: BTreeMap<i64, Target> =
            targets.into_iter().map(|t| (t.unit_id, t)).collect();
        let rows = children
            .into_iter()
            .map(|(unit_id, code, name, type_code, ended)| {
                let sub = below.get(&unit_id).copied().unwrap_or_default();
                let own = own_of.remove(&unit_id);
                let mut rates = sub;
                if let Some(o) = &own {
                    rates.add(&Rates::from_counts(
                        own_contribution(&o.facts(), None, None)
                            .iter()
                            .map(|(k, t)| (k.as_str(), t[1])),
                    ));
                }
                BoardRow {
                    unit_id,
                    code,
                    name,
                    type_code,
                    ended,
                    rates,
                    own,
                    has_below: sub.expected > 0,
                    outside: false,
                }
            })
            .collect::<Vec<_>>();
        let more = total - i64::try_from(rows.len()).unwrap_or(0);
        let mut rows = rows;
        // Targets outside the issuer's subtree, looked for only when the request's total
        // expects more than the subtree does (walking every target is what costs).
        if at_issuer && rates.expected > self.rates_at(request_id, level_id).await?.expected {
            rows.extend(self.outside_rows(request_id, &level.path).await?);
        }
        let place_of_own = own
            .as_ref()
            .filter(|_| !at_issuer)
            .map(|o| rq::place_counters(&o.facts(), &o.place(detail.request.issued_at, None)));
        let (by_type, propagation) = self
            .board_places(
                request_id,
                if at_issuer { 0 } else { level_id },
                place_of_own.unwrap_or_default(),
            )
            .await?;
        Ok(Board {
            level,
            rates,
            own,
            rows,
            more,
            by_type,
            propagation,
        })
    }

    /// Counters per unit type, and time from issue to each grassroots target's
    /// acknowledgement, in a level's subtree (the level's own target added by the
    /// caller): read from the level's roll-up rows, never from the targets.
    async fn board_places(
        &self,
        request_id: i64,
        tally_unit: i64,
        own: Vec<(String, i64)>,
    ) -> Result<(Vec<TypeRates>, Propagation)> {
        let mut counts: Vec<(String, i64)> = read!(self, p => sqlx::query_as(
            "SELECT key, n FROM request_tally WHERE request_id = $1 AND unit_id = $2 AND key LIKE '@%'")
            .bind(request_id).bind(tally_unit).fetch_all(p).await)?;
        counts.extend(own);
        let types: Vec<(String, String, i64, bool)> = read!(self, p => sqlx::query_as(
            "SELECT type_code, name_vi, CAST(sort_order AS BIGINT), is_grassroots FROM unit_type")
            .fetch_all(p).await)?;
        let info: BTreeMap<&str, (&str, i64, bool)> = types
            .iter()
            .map(|(c, n, o, g)| (c.as_str(), (n.as_str(), *o, *g)))
            .collect();
        let mut by: BTreeMap<&str, Rates> = BTreeMap::new();
        let mut acks: Vec<(i64, i64)> = Vec::new();
        for (k, n) in &counts {
            match PlaceKey::parse(k) {
                Some(PlaceKey::Type(ty, counter)) => by
                    .entry(ty)
                    .or_default()
                    .add(&Rates::from_counts([(counter, *n)])),
                Some(PlaceKey::Ack(ty, bucket)) if info.get(ty).is_some_and(|i| i.2) => {
                    acks.push((bucket, *n));
                }
                _ => {}
            }
        }
        let grassroots = by
            .iter()
            .filter(|(ty, _)| info.get(*ty).is_some_and(|i| i.2))
            .fold(Rates::default(), |mut a, (_, r)| {
                a.add(r);
                a
            });
        let mut by_type: Vec<(i64, String, Rates)> = by
            .into_iter()
            .filter(|(_, r)| *r != Rates::default())
            .map(|(ty, rates)| {
                let (name, order) = info.get(ty).map_or((ty, i64::MAX), |i| (i.0, i.1));
                (order, name.to_string(), rates)
            })
            .collect();
        by_type.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let propagation = Propagation {
            acknowledged: acks.iter().map(|(_, n)| n).sum(),
            waiting: grassroots.expected - grassroots.acknowledged,
            median_secs: rq::quantile_of_counts(&acks, 0.5),
            p90_secs: rq::quantile_of_counts(&acks, 0.9),
        };
        Ok((
            by_type
                .into_iter()
                .map(|(_, type_name, rates)| TypeRates { type_name, rates })
                .collect(),
            propagation,
        ))
    }

    /// Units to chase in a level's subtree, with their chair's name and phone (masked
    /// unless the caller may write the unit; a full view is audited).
    #[tracing::instrument(skip(self, scope))]
    pub async fn request_chase(
        &self,
        scope: &Scope,
        request_id: i64,
        level_unit_id: Option<i64>,
        chase: Chase,
        today: Date,
    ) -> Result<Vec<ChaseRow>> {
        let detail = self.request(scope, request_id).await?;
        let level = self
            .unit(
                scope,
                level_unit_id.unwrap_or(detail.request.issuer_unit_id),
            )
            .await?;
        let cond = match chase {
            Chase::Late => "t.responded_at IS NULL AND t.due_on < $4",
            Chase::Missing => "t.responded_at IS NULL AND $4 = $4",
            Chase::Returned => "t.state = 'returned' AND $4 = $4",
            Chase::Unacknowledged => "t.acknowledged_at IS NULL AND $4 = $4",
            Chase::Submitted => "t.state = 'submitted' AND $4 = $4",
        };
        let mut rows: Vec<ChaseRow> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT u.unit_id, u.code, u.name, t.state, t.due_on, \
             (SELECT a.full_name FROM position_assignment a WHERE a.unit_id = u.unit_id AND a.position_code = 'CHU_TICH' AND a.end_date IS NULL ORDER BY a.assignment_id LIMIT 1) AS chair_name, \
             (SELECT m.phone FROM position_assignment a JOIN member m ON m.member_id = a.member_id WHERE a.unit_id = u.unit_id AND a.position_code = 'CHU_TICH' AND a.end_date IS NULL ORDER BY a.assignment_id LIMIT 1) AS chair_phone \
             FROM request_target t JOIN unit u ON u.unit_id = t.unit_id \
             WHERE t.request_id = $1 AND u.path >= $2 AND u.path < $3 AND t.ended_on IS NULL AND {cond} ORDER BY t.due_on, u.name LIMIT 500")))
            .bind(request_id).bind(&level.path).bind(range_end(&level.path)).bind(today).fetch_all(p).await)?;
        let writes = scope.can_write(&level.path);
        let mut shown = 0;
        for r in &mut rows {
            if let Some(ph) = &r.chair_phone {
                if writes {
                    shown += 1;
                } else {
                    r.chair_phone = Some(crate::imports::mask_personal(ph));
                }
            }
        }
        if shown > 0 {
            write!(self, p => {
                let mut tx = p.begin().await?;
                audit!(&mut *tx, scope, "view_personal", "request", Some(request_id), &level.path,
                    format!("Xem số điện thoại của {shown} chủ tịch CĐCS cần nhắc"), None, None);
                tx.commit().await?;
            });
        }
        Ok(rows)
    }

    /// The name of a unit's chair in office (for signature blocks).
    pub async fn chair_name(&self, unit_id: i64) -> Result<Option<String>> {
        Ok(read!(self, p => sqlx::query_scalar(
            "SELECT full_name FROM position_assignment WHERE unit_id = $1 AND position_code = 'CHU_TICH' AND end_date IS NULL \
             ORDER BY assignment_id LIMIT 1").bind(unit_id).fetch_optional(p).await)?)
    }

    /// Adds the board's per-type counters ('@' keys) of requests sent before migration
    /// 0031, once: the marker row is removed in the same transaction, so a second
    /// instance starting at the same time waits on it and then finds nothing to do.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn backfill_request_places(&self) -> Result<()> {
        write!(self, p => {
            let mut tx = p.begin().await?;
            let claimed = sqlx::query("DELETE FROM pending_backfill WHERE name = 'request_places'")
                .execute(&mut *tx).await?.rows_affected();
            if claimed == 1 {
                sqlx::query("DELETE FROM request_tally WHERE key LIKE '@%'").execute(&mut *tx).await?;
                let ids: Vec<i64> = sqlx::query_scalar("SELECT request_id FROM request ORDER BY request_id")
                    .fetch_all(&mut *tx).await?;
                for id in ids {
                    // One request at a time keeps memory to its targets (125,000 at most).
                    // Without the form values, which the '@' keys do not need.
                    let columns = FACTS_COLUMNS.replace("t.contribution", "CAST(NULL AS TEXT) AS contribution");
                    let targets: Vec<FactsRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {columns} {FACTS_FROM} WHERE t.request_id = $1")))
                        .bind(id).fetch_all(&mut *tx).await?;
                    let mut delta = TallyDelta::default();
                    for t in &targets {
                        let place: Vec<(String, Tally)> = rq::place_counters(&t.facts(), &t.place())
                            .into_iter()
                            .map(|(k, n)| (k, [0, n, 0]))
                            .collect();
                        delta.target(id, &t.path, &place, 1);
                    }
                    apply_tallies!(tx, delta);
                }
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every stored roll-up row, and the same recounted from the targets: a test checks
    /// they agree after any mix of steps, moves and mergers.
    pub async fn request_tallies_check(&self) -> Result<(TallyDelta, TallyDelta)> {
        let stored: Vec<(i64, i64, String, i64, i64, i64)> = read!(self, p => sqlx::query_as(
            "SELECT request_id, unit_id, key, total, n, hits FROM request_tally").fetch_all(p).await)?;
        let stored = TallyDelta(
            stored
                .into_iter()
                .map(|(r, u, k, t, n, h)| ((r, u, k), [t, n, h]))
                .collect(),
        )
        .without_zeros();
        let targets: Vec<FactsRow> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FACTS_COLUMNS} {FACTS_FROM}")))
            .fetch_all(p).await)?;
        let mut recount = TallyDelta::default();
        for t in targets {
            recount.target(
                t.request_id,
                &t.path,
                &own_contribution(&t.facts(), Some(&t.place()), t.contribution.as_deref()),
                1,
            );
        }
        Ok((stored, recount.without_zeros()))
    }
}

/// Checks attached files (type by content, size, count), keeping their MIME types.
pub(crate) fn check_files(files: Vec<NewFile>, max: usize) -> Result<Vec<(NewFile, &'static str)>> {
    let files: Vec<NewFile> = files.into_iter().filter(|f| !f.bytes.is_empty()).collect();
    if files.len() > max {
        return Err(rule(
            "ST1917",
            "file",
            &format!("Đính kèm tối đa {max} tệp."),
            &format!("Attach at most {max} files."),
        ));
    }
    files
        .into_iter()
        .map(|f| {
            let mime = rq::sniff_document(&f.name, &f.bytes).map_err(from_domain)?;
            let name: String = f
                .name
                .chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(200)
                .collect();
            Ok((
                NewFile {
                    name,
                    bytes: f.bytes,
                },
                mime,
            ))
        })
        .collect()
}

/// Which targets of a level's subtree a board figure counts (each figure links to its
/// list; the filters match the counters of `rq::counters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetList {
    /// Every expected target.
    Expected,
    /// Acknowledged (received, read).
    Acknowledged,
    /// Not acknowledged yet.
    Unacknowledged,
    /// Forwarded down.
    Forwarded,
    /// Implementation reported.
    Implemented,
    /// Past due without an implementation report.
    Late,
}

impl TargetList {
    pub fn parse(s: &str) -> Option<TargetList> {
        Some(match s {
            "expected" => TargetList::Expected,
            "acknowledged" => TargetList::Acknowledged,
            "unacknowledged" => TargetList::Unacknowledged,
            "forwarded" => TargetList::Forwarded,
            "implemented" => TargetList::Implemented,
            "late" => TargetList::Late,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            TargetList::Expected => "expected",
            TargetList::Acknowledged => "acknowledged",
            TargetList::Unacknowledged => "unacknowledged",
            TargetList::Forwarded => "forwarded",
            TargetList::Implemented => "implemented",
            TargetList::Late => "late",
        }
    }
}

/// Added for the directive pages (issue 14, items 1 and 5).
impl Store {
    /// The targets of a request in a level's subtree (the level itself included) that a
    /// board figure counts, in name order, at most [`BOARD_PAGE`]; with the full count.
    #[tracing::instrument(skip(self, scope))]
    pub async fn request_target_list(
        &self,
        scope: &Scope,
        request_id: i64,
        level_unit_id: Option<i64>,
        list: TargetList,
        today: Date,
    ) -> Result<(Vec<Target>, i64)> {
        let detail = self.request(scope, request_id).await?;
        let level = self
            .unit(
                scope,
                level_unit_id.unwrap_or(detail.request.issuer_unit_id),
            )
            .await?;
        // A target ended without a response is no longer expected (rq::counters).
        let cond = match list {
            TargetList::Expected => "$4 = $4",
            TargetList::Acknowledged => "t.acknowledged_at IS NOT NULL AND $4 = $4",
            TargetList::Unacknowledged => "t.acknowledged_at IS NULL AND $4 = $4",
            TargetList::Forwarded => "t.forwarded_at IS NOT NULL AND $4 = $4",
            TargetList::Implemented => "t.responded_at IS NOT NULL AND $4 = $4",
            TargetList::Late => "t.responded_at IS NULL AND t.due_on < $4",
        };
        let filter = format!(
            "WHERE t.request_id = $1 AND u.path >= $2 AND u.path < $3 \
             AND (t.ended_on IS NULL OR t.responded_at IS NOT NULL) AND {cond}"
        );
        let end = range_end(&level.path);
        let total: i64 = read!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) FROM request_target t JOIN unit u ON u.unit_id = t.unit_id {filter}")))
            .bind(request_id).bind(&level.path).bind(&end).bind(today).fetch_one(p).await)?;
        let rows: Vec<Target> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{TARGET_SELECT} {filter} ORDER BY u.name, t.unit_id LIMIT {BOARD_PAGE}")))
            .bind(request_id).bind(&level.path).bind(&end).bind(today).fetch_all(p).await)?;
        Ok((rows, total))
    }

    /// Unit types below a unit with how many open units of each (from the maintained
    /// figures, the unit itself left out): the choices of a target set.
    pub async fn unit_types_below(
        &self,
        scope: &Scope,
        unit_id: i64,
    ) -> Result<Vec<(String, String, i64)>> {
        let unit = self.unit(scope, unit_id).await?;
        let rows: Vec<(String, String, i64, i64)> = read!(self, p => sqlx::query_as(
            "SELECT s.key, ty.name_vi, CAST(SUM(s.n) AS BIGINT), CAST(MIN(ty.sort_order) AS BIGINT) FROM unit_stat s \
             JOIN unit_type ty ON ty.type_code = s.key WHERE s.unit_id = $1 AND s.dim = 'unit_type' \
             GROUP BY s.key, ty.name_vi")
            .bind(unit_id).fetch_all(p).await)?;
        let mut out: Vec<(i64, String, String, i64)> = rows
            .into_iter()
            .map(|(code, name, n, order)| {
                let n = if code == unit.type_code { n - 1 } else { n };
                (order, code, name, n)
            })
            .filter(|r| r.3 > 0)
            .collect();
        out.sort();
        Ok(out.into_iter().map(|(_, c, n, k)| (c, n, k)).collect())
    }

    /// What a target set resolves to today, by unit type (name, count), for the page
    /// that confirms the sending; checks the issuer may address it as the sending does.
    pub async fn preview_targets(
        &self,
        scope: &Scope,
        issuer_unit_id: i64,
        spec: &TargetSpec,
    ) -> Result<Vec<(String, i64)>> {
        let issuer = self.unit(scope, issuer_unit_id).await?;
        scope.check_write(&issuer.path)?;
        let resolved = self.resolve_targets(scope, &issuer, spec).await?;
        let mut by: BTreeMap<(i64, String), i64> = BTreeMap::new();
        for chunk in resolved.chunks(1000) {
            let ids = chunk
                .iter()
                .map(|(id, _, _)| id.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows: Vec<(String, i64, i64)> = read!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT ty.name_vi, CAST(ty.sort_order AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM unit u JOIN unit_type ty ON ty.type_code = u.type_code \
                 WHERE u.unit_id IN ({ids}) GROUP BY ty.name_vi, ty.sort_order")))
                .fetch_all(p).await)?;
            for (name, order, n) in rows {
                *by.entry((order, name)).or_default() += n;
            }
        }
        Ok(by.into_iter().map(|((_, name), n)| (name, n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_contributions_read_as_borrowed_entries_or_not_at_all() {
        let mut out = Vec::new();
        let json = r#"{"f1":[3,1,0],"sex/nữ":[2,1,1],"a\"b":[1,1,0]}"#;
        assert!(read_entries(json, &mut out));
        assert_eq!(out.len(), 3);
        assert!(matches!(out[0].0, Cow::Borrowed("f1")));
        assert_eq!(out[1], (Cow::Borrowed("sex/nữ"), [2, 1, 1]));
        // An escaped key is unescaped into its own string.
        assert_eq!(out[2], (Cow::Owned::<str>("a\"b".into()), [1, 1, 0]));
        // As own_contribution: a text that does not parse counts nothing, even in part.
        for bad in [r#"{"f1":[3,1,0],"f2":[1]}"#, "[1,2]", r#"{"f1":[3,1,0]} x"#] {
            assert!(!read_entries(bad, &mut out), "{bad}");
            assert!(out.is_empty(), "{bad}");
        }
    }
}
