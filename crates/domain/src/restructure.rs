//! Restructuring plans (phương án sắp xếp tổ chức): operations on the union tree,
//! checked and simulated in memory. The preview and the apply run the same
//! simulation, so what a user reads is what gets written, and a bad plan is
//! refused — naming the operation — before anything is stored.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::format_vn_date;

/// A unit named by an operation: a stored unit by id, or one created earlier in the
/// same plan by its key (JSON: a number or a string).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UnitRef {
    Id(i64),
    New(String),
}

/// One operation of a plan, in the order the user wrote them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Op {
    /// Found a unit (e.g. a commune union) under a managing parent.
    Create {
        key: String,
        code: String,
        name: String,
        type_code: String,
        parent: UnitRef,
    },
    Rename {
        unit: UnitRef,
        name: String,
    },
    /// Upgrade or downgrade (nâng cấp, hạ cấp).
    Retype {
        unit: UnitRef,
        type_code: String,
    },
    /// Move units, with their subtrees, under a new managing parent.
    Move {
        units: Vec<i64>,
        parent: UnitRef,
    },
    /// Merge units into one survivor (stored or created in this plan): sub-units and
    /// members go to the survivor, the merged units end with reason "sáp nhập".
    Merge {
        units: Vec<i64>,
        into: UnitRef,
    },
    /// Dissolve a unit: its sub-units go to `children_to` (its parent by default);
    /// its members transfer to `members_to`, or leave the union with `reason`.
    Dissolve {
        unit: i64,
        children_to: Option<UnitRef>,
        members_to: Option<UnitRef>,
        reason: String,
    },
    /// End a grassroots union whose members leave the union (2025: agencies paid
    /// fully by the state budget, CV 4133/TLĐ-ToC); its sub-units end with it.
    End {
        unit: i64,
        reason: String,
    },
    /// Split a unit into several of its level (stored or created in this plan). The
    /// rule for who goes where: each part takes the sub-units listed for it, with their
    /// subtrees and the members in them; the first part takes every sub-unit not
    /// listed and the members placed directly in the unit, and continues its
    /// coordinating links and cluster places. The split unit ends ("chia tách").
    Split {
        unit: i64,
        parts: Vec<SplitPart>,
        reason: String,
    },
    /// Reopen a unit an applied plan ended (reverting that plan): it resumes under its
    /// parent of that time; its committee is appointed anew.
    Reopen {
        unit: i64,
        reason: String,
    },
    /// Reverting plan `plan_id`: the sub-units it moved along with a CĐCS go back
    /// (`units`: unit, parent), the members it transferred return to the units they
    /// came from, and those it made leave are re-admitted; the units it ended (reopened
    /// by earlier operations) get back their coordinating links and cluster places, and
    /// the units that took them over give them up. The counts are as generated; members
    /// who have since moved on stay where they are.
    ReturnMembers {
        plan_id: i64,
        #[serde(default)]
        units: Vec<(i64, i64)>,
        #[serde(default)]
        moves: Vec<MemberReturn>,
        #[serde(default)]
        readmit: Vec<MemberReturn>,
    },
}

/// Members going back from CĐCS `from` to CĐCS `to` (the same for a re-admission).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberReturn {
    pub from: i64,
    pub to: i64,
    pub members: i64,
}

/// One successor of a split and the sub-units it takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitPart {
    pub into: UnitRef,
    #[serde(default)]
    pub children: Vec<i64>,
}

impl Op {
    /// Short Vietnamese name of the operation kind.
    pub fn label(&self) -> &'static str {
        match self {
            Op::Create { .. } => "Thành lập",
            Op::Rename { .. } => "Đổi tên",
            Op::Retype { .. } => "Đổi loại (nâng/hạ cấp)",
            Op::Move { .. } => "Chuyển đơn vị cấp trên",
            Op::Merge { .. } => "Sáp nhập",
            Op::Dissolve { .. } => "Giải thể",
            Op::End { .. } => "Kết thúc hoạt động",
            Op::Split { .. } => "Chia tách",
            Op::Reopen { .. } => "Khôi phục đơn vị",
            Op::ReturnMembers { .. } => "Trả đoàn viên, quan hệ phối hợp, cụm thi đua về nơi cũ",
        }
    }
}

/// A unit type as the rules see it (from `unit_type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeRule {
    pub code: String,
    pub name_vi: String,
    pub tier: i64,
    pub grassroots: bool,
    pub holds_members: bool,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

impl TypeRule {
    fn exists_on(&self, d: Date) -> bool {
        self.valid_from.is_none_or(|f| f <= d) && self.valid_to.is_none_or(|t| d < t)
    }
}

/// A unit as the plan sees it. Created units carry negative ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub type_code: String,
    pub parent: Option<i64>,
    pub founded_on: Date,
    pub ended: bool,
    /// The last date the unit's placement, name or type changed, or it ended (changes,
    /// and a reopening, must follow it).
    pub last_change: Date,
    /// Active members whose CĐCS is this unit (grassroots units only).
    pub cdcs_members: i64,
    /// Active members in the unit's subtree as stored before the plan (what a
    /// department takes with it when its CĐCS is split).
    pub members: i64,
}

/// Rule values in force on the plan's date (data with effective dates, loaded by the store).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanRules {
    /// Criteria for a commune union (domain.md §1.3): members and CĐCS in its area.
    pub commune_min_members: Option<i64>,
    pub commune_min_cdcs: Option<i64>,
}

/// The part of the tree a plan may touch, as it stands before the plan.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub units: BTreeMap<i64, PlanUnit>,
    pub types: Vec<TypeRule>,
    pub rules: PlanRules,
}

/// A refused plan: which operation (1-based; 0 = the plan as a whole) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code} thao tác {op}: {message_en}")]
pub struct PlanError {
    pub op: usize,
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

/// How a unit ends in a plan (kept in its history and lineage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndKind {
    Merged,
    Dissolved,
    Ended,
    Split,
}

impl EndKind {
    /// The reason written on the officials' posts that end with the unit.
    pub fn post_reason(self) -> &'static str {
        match self {
            EndKind::Merged => "sáp nhập",
            EndKind::Dissolved => "giải thể",
            EndKind::Ended => "kết thúc hoạt động",
            EndKind::Split => "chia tách",
        }
    }
}

/// One primitive change, in the order the store writes them. Ids below zero are units
/// created by earlier `Create` steps of the same plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    Create {
        tmp: i64,
        code: String,
        name: String,
        type_code: String,
        parent: i64,
    },
    SetParent {
        unit: i64,
        parent: i64,
    },
    Rename {
        unit: i64,
        name: String,
    },
    Retype {
        unit: i64,
        type_code: String,
    },
    /// Every member whose CĐCS is `from` now belongs to CĐCS `to`; those placed
    /// directly in `from` are placed directly in `to`. With `within`, only the members
    /// placed in that sub-unit's subtree (a department going with a split part).
    TransferMembers {
        from: i64,
        to: i64,
        within: Option<i64>,
    },
    /// Every active member whose CĐCS is `cdcs` leaves the union.
    ExitMembers {
        cdcs: i64,
        reason: String,
    },
    End {
        unit: i64,
        kind: EndKind,
        reason: String,
    },
    Lineage {
        from: i64,
        to: i64,
        kind: &'static str,
    },
    /// An ended unit resumes (its current placement, name and type).
    Reopen {
        unit: i64,
    },
    /// The members plan `plan_id` transferred go back, those it exited are re-admitted.
    ReturnMembers {
        plan_id: i64,
    },
}

/// Something the preview tells the user. Blocking findings stop the apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub blocking: bool,
    pub unit: i64,
    pub message_vi: String,
    pub message_en: String,
}

/// What a plan does, op by op and in total.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    pub steps: Vec<Step>,
    /// The units after the plan (created ones included, ended ones marked).
    pub after: BTreeMap<i64, PlanUnit>,
    pub created: Vec<i64>,
    pub moved: Vec<i64>,
    pub renamed: Vec<i64>,
    pub retyped: Vec<i64>,
    pub ended: Vec<i64>,
    pub reopened: Vec<i64>,
    pub members_transferred: i64,
    pub members_exited: i64,
    pub members_readmitted: i64,
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn is_blocked(&self) -> bool {
        self.findings.iter().any(|f| f.blocking)
    }
}

fn err(op: usize, code: &'static str, vi: String, en: String) -> PlanError {
    PlanError {
        op,
        code,
        message_vi: vi,
        message_en: en,
    }
}

struct Sim<'a> {
    snap: &'a Snapshot,
    on: Date,
    units: BTreeMap<i64, PlanUnit>,
    keys: BTreeMap<String, i64>,
    out: Outcome,
    op: usize,
}

impl Sim<'_> {
    fn ty(&self, code: &str) -> Result<&TypeRule, PlanError> {
        self.snap
            .types
            .iter()
            .find(|t| t.code == code)
            .ok_or_else(|| {
                err(
                    self.op,
                    "VL0701",
                    format!("loại đơn vị «{code}» không có."),
                    format!("unknown unit type «{code}»."),
                )
            })
    }

    fn resolve(&self, r: &UnitRef) -> Result<i64, PlanError> {
        match r {
            UnitRef::Id(id) => Ok(*id),
            UnitRef::New(key) => self.keys.get(key.trim()).copied().ok_or_else(|| {
                err(
                    self.op,
                    "VL0702",
                    format!("đơn vị mới «{key}» chưa được thành lập ở thao tác trước."),
                    format!("new unit «{key}» is not created by an earlier operation."),
                )
            }),
        }
    }

    /// A unit that exists and is still active at this point of the plan.
    fn known(&self, id: i64) -> Result<&PlanUnit, PlanError> {
        self.units.get(&id).ok_or_else(|| {
            err(
                self.op,
                "VL0703",
                format!("không tìm thấy đơn vị #{id} trong phạm vi của phương án."),
                format!("unit #{id} is not within the plan's scope."),
            )
        })
    }

    fn live(&self, id: i64) -> Result<&PlanUnit, PlanError> {
        let u = self.known(id)?;
        if u.ended {
            return Err(err(
                self.op,
                "VL0704",
                format!("{} đã giải thể hoặc kết thúc hoạt động.", u.name),
                format!("{} has already ended.", u.name),
            ));
        }
        self.dated(u)
    }

    /// The plan's date must not precede the unit's founding or last change.
    fn dated<'u>(&self, u: &'u PlanUnit) -> Result<&'u PlanUnit, PlanError> {
        if self.on < u.founded_on || self.on < u.last_change {
            return Err(err(
                self.op,
                "VL0705",
                format!(
                    "ngày hiệu lực {} trước ngày {} (thành lập hoặc thay đổi gần nhất của {}).",
                    format_vn_date(self.on),
                    format_vn_date(u.founded_on.max(u.last_change)),
                    u.name
                ),
                format!(
                    "the effective date {} precedes {} (founding or last change of {}).",
                    self.on,
                    u.founded_on.max(u.last_change),
                    u.name
                ),
            ));
        }
        Ok(u)
    }

    fn tier(&self, id: i64) -> Result<i64, PlanError> {
        let code = self.units[&id].type_code.clone();
        Ok(self.ty(&code)?.tier)
    }

    fn is_ancestor_or_self(&self, anc: i64, mut id: i64) -> bool {
        loop {
            if id == anc {
                return true;
            }
            match self.units.get(&id).and_then(|u| u.parent) {
                Some(p) => id = p,
                None => return false,
            }
        }
    }

    /// The grassroots union at or above a unit, if any.
    fn cdcs_of(&self, mut id: i64) -> Option<i64> {
        loop {
            let u = self.units.get(&id)?;
            if self.ty(&u.type_code).is_ok_and(|t| t.grassroots) {
                return Some(id);
            }
            id = u.parent?;
        }
    }

    fn children(&self, id: i64) -> Vec<i64> {
        self.units
            .values()
            .filter(|u| u.parent == Some(id) && !u.ended)
            .map(|u| u.id)
            .collect()
    }

    fn check_parent(&self, child_type: &str, parent: i64) -> Result<(), PlanError> {
        let p = self.live(parent)?;
        let (ct, pt) = (self.ty(child_type)?, self.ty(&p.type_code)?);
        if ct.tier <= pt.tier {
            return Err(err(
                self.op,
                "VL0706",
                format!(
                    "{} không thể trực thuộc {} ({}): cấp trên phải ở cấp cao hơn.",
                    ct.name_vi, p.name, pt.name_vi
                ),
                format!(
                    "a {} cannot sit under {} ({}): the parent must be a higher level.",
                    ct.code, p.name, pt.code
                ),
            ));
        }
        Ok(())
    }

    fn set_parent(&mut self, unit: i64, parent: i64) -> Result<(), PlanError> {
        if self.is_ancestor_or_self(unit, parent) {
            let (u, p) = (&self.units[&unit].name, &self.units[&parent].name);
            return Err(err(
                self.op,
                "VL0707",
                format!("không thể chuyển {u} vào chính nó hoặc đơn vị cấp dưới của nó ({p})."),
                format!("{u} cannot move under itself or its own descendant ({p})."),
            ));
        }
        let ty = self.units[&unit].type_code.clone();
        self.check_parent(&ty, parent)?;
        // A bộ phận or tổ belongs to its CĐCS: it may move inside it, or go with a merge.
        let grassroots = self.ty(&ty)?.grassroots;
        if !grassroots && self.cdcs_of(unit).is_some() && self.cdcs_of(unit) != self.cdcs_of(parent)
        {
            let u = &self.units[&unit].name;
            return Err(err(
                self.op,
                "VL0708",
                format!(
                    "{u} là đơn vị bên trong một CĐCS; chỉ chuyển được trong CĐCS đó (hoặc theo CĐCS khi sáp nhập)."
                ),
                format!(
                    "{u} is inside a grassroots union and can move only within it (or with a merger)."
                ),
            ));
        }
        self.units.get_mut(&unit).expect("checked").parent = Some(parent);
        self.out.steps.push(Step::SetParent { unit, parent });
        if !self.out.moved.contains(&unit) {
            self.out.moved.push(unit);
        }
        Ok(())
    }

    /// Moves sub-units that belong to the CĐCS `from` under `to` (a merger of CĐCS).
    fn set_parent_with_cdcs(&mut self, unit: i64, parent: i64) {
        self.units.get_mut(&unit).expect("checked").parent = Some(parent);
        self.out.steps.push(Step::SetParent { unit, parent });
        self.out.moved.push(unit);
    }

    fn end(&mut self, unit: i64, kind: EndKind, reason: &str) {
        let u = self.units.get_mut(&unit).expect("checked");
        u.ended = true;
        self.out.steps.push(Step::End {
            unit,
            kind,
            reason: reason.to_string(),
        });
        self.out.ended.push(unit);
    }

    fn transfer(&mut self, from: i64, to: i64) {
        let n = std::mem::take(&mut self.units.get_mut(&from).expect("checked").cdcs_members);
        self.units.get_mut(&to).expect("checked").cdcs_members += n;
        self.out.members_transferred += n;
        self.out.steps.push(Step::TransferMembers {
            from,
            to,
            within: None,
        });
    }

    /// Sub-unit `c` of the CĐCS `from` goes to the CĐCS `to` with its members.
    fn transfer_within(&mut self, from: i64, to: i64, c: i64) {
        self.set_parent_with_cdcs(c, to);
        let n = self.units[&c].members.min(self.units[&from].cdcs_members);
        self.units.get_mut(&from).expect("checked").cdcs_members -= n;
        self.units.get_mut(&to).expect("checked").cdcs_members += n;
        self.out.members_transferred += n;
        self.out.steps.push(Step::TransferMembers {
            from,
            to,
            within: Some(c),
        });
    }

    fn exit(&mut self, cdcs: i64, reason: &str) {
        let n = std::mem::take(&mut self.units.get_mut(&cdcs).expect("checked").cdcs_members);
        self.out.members_exited += n;
        self.out.steps.push(Step::ExitMembers {
            cdcs,
            reason: reason.to_string(),
        });
    }

    /// Ends a whole subtree below `unit` (children first), as when a CĐCS ends.
    fn end_below(&mut self, unit: i64, kind: EndKind, reason: &str) {
        for c in self.children(unit) {
            self.end_below(c, kind, reason);
            self.end(c, kind, reason);
        }
    }

    fn need_reason(&self, reason: &str) -> Result<(), PlanError> {
        if reason.trim().chars().count() < 3 {
            return Err(err(
                self.op,
                "VL0709",
                "phải ghi lý do.".into(),
                "a reason is required.".into(),
            ));
        }
        Ok(())
    }

    fn name_ok(&self, name: &str) -> Result<(), PlanError> {
        let n = name.trim().chars().count();
        if !(2..=200).contains(&n) {
            return Err(err(
                self.op,
                "VL0710",
                "tên đơn vị phải từ 2 đến 200 ký tự.".into(),
                "a unit name must be 2 to 200 characters.".into(),
            ));
        }
        Ok(())
    }

    fn type_on_date(&self, code: &str) -> Result<&TypeRule, PlanError> {
        let ty = self.ty(code)?;
        if !ty.exists_on(self.on) {
            return Err(err(
                self.op,
                "VL0711",
                format!(
                    "loại «{}» không tồn tại vào ngày {}.",
                    ty.name_vi,
                    format_vn_date(self.on)
                ),
                format!("unit type {} does not exist on {}.", ty.code, self.on),
            ));
        }
        Ok(ty)
    }

    fn apply(&mut self, op: &Op) -> Result<(), PlanError> {
        match op {
            Op::Create {
                key,
                code,
                name,
                type_code,
                parent,
            } => {
                let key = key.trim().to_string();
                if key.is_empty() || self.keys.contains_key(&key) {
                    return Err(err(
                        self.op,
                        "VL0712",
                        format!("khóa đơn vị mới «{key}» trống hoặc đã dùng ở thao tác khác."),
                        format!("new-unit key «{key}» is empty or already used."),
                    ));
                }
                let code = code.trim().to_uppercase();
                if code.is_empty() || self.units.values().any(|u| u.code == code) {
                    return Err(err(
                        self.op,
                        "VL0713",
                        format!("mã đơn vị «{code}» trống hoặc đã có."),
                        format!("unit code «{code}» is empty or taken."),
                    ));
                }
                self.name_ok(name)?;
                self.type_on_date(type_code)?;
                let parent = self.resolve(parent)?;
                self.check_parent(type_code, parent)?;
                let tmp = -(self.keys.len() as i64) - 1;
                self.keys.insert(key, tmp);
                self.units.insert(
                    tmp,
                    PlanUnit {
                        id: tmp,
                        code: code.clone(),
                        name: name.trim().to_string(),
                        type_code: type_code.clone(),
                        parent: Some(parent),
                        founded_on: self.on,
                        ended: false,
                        last_change: self.on,
                        cdcs_members: 0,
                        members: 0,
                    },
                );
                self.out.steps.push(Step::Create {
                    tmp,
                    code,
                    name: name.trim().to_string(),
                    type_code: type_code.clone(),
                    parent,
                });
                self.out.created.push(tmp);
            }
            Op::Rename { unit, name } => {
                let id = self.resolve(unit)?;
                self.live(id)?;
                self.name_ok(name)?;
                self.units.get_mut(&id).expect("live").name = name.trim().to_string();
                self.out.steps.push(Step::Rename {
                    unit: id,
                    name: name.trim().to_string(),
                });
                self.out.renamed.push(id);
            }
            Op::Retype { unit, type_code } => {
                let id = self.resolve(unit)?;
                let u = self.live(id)?.clone();
                let (old, new) = (
                    self.ty(&u.type_code)?.clone(),
                    self.type_on_date(type_code)?,
                );
                if old.grassroots != new.grassroots || old.holds_members != new.holds_members {
                    return Err(err(
                        self.op,
                        "VL0714",
                        format!(
                            "không thể đổi {} từ «{}» sang «{}»: hai loại khác nhau về cấp cơ sở.",
                            u.name, old.name_vi, new.name_vi
                        ),
                        format!(
                            "cannot change {} from {} to {}: grassroots and upper levels differ.",
                            u.name, old.code, new.code
                        ),
                    ));
                }
                if let Some(p) = u.parent {
                    self.check_parent(type_code, p)?;
                }
                for c in self.children(id) {
                    let ct = self.units[&c].type_code.clone();
                    if self.ty(&ct)?.tier <= new.tier {
                        return Err(err(
                            self.op,
                            "VL0706",
                            format!(
                                "{} có đơn vị cấp dưới không thể trực thuộc loại mới.",
                                u.name
                            ),
                            format!(
                                "{} has sub-units that cannot sit under the new type.",
                                u.name
                            ),
                        ));
                    }
                }
                self.units.get_mut(&id).expect("live").type_code = type_code.clone();
                self.out.steps.push(Step::Retype {
                    unit: id,
                    type_code: type_code.clone(),
                });
                self.out.retyped.push(id);
            }
            Op::Move { units, parent } => {
                if units.is_empty() {
                    return Err(err(
                        self.op,
                        "VL0715",
                        "chưa chọn đơn vị nào.".into(),
                        "no unit chosen.".into(),
                    ));
                }
                let parent = self.resolve(parent)?;
                self.live(parent)?;
                for &u in units {
                    self.live(u)?;
                    if self.units[&u].parent == Some(parent) {
                        let n = &self.units[&u].name;
                        return Err(err(
                            self.op,
                            "VL0716",
                            format!("{n} đã trực thuộc đơn vị này."),
                            format!("{n} is already under this parent."),
                        ));
                    }
                    self.set_parent(u, parent)?;
                }
            }
            Op::Merge { units, into } => {
                let into = self.resolve(into)?;
                self.live(into)?;
                if units.is_empty() || units.contains(&into) {
                    return Err(err(
                        self.op,
                        "VL0717",
                        "chọn các đơn vị sáp nhập, khác đơn vị tiếp nhận.".into(),
                        "choose the merged units, other than the survivor.".into(),
                    ));
                }
                let survivor_tier = self.tier(into)?;
                let survivor_grassroots = {
                    let t = self.units[&into].type_code.clone();
                    self.ty(&t)?.grassroots
                };
                for &u in units {
                    self.live(u)?;
                    if self.is_ancestor_or_self(u, into) {
                        let n = &self.units[&u].name;
                        return Err(err(
                            self.op,
                            "VL0707",
                            format!("không thể sáp nhập {n} vào đơn vị cấp dưới của nó."),
                            format!("{n} cannot merge into its own descendant."),
                        ));
                    }
                    let t = self.units[&u].type_code.clone();
                    let (tier, grassroots) = (self.ty(&t)?.tier, self.ty(&t)?.grassroots);
                    if tier != survivor_tier || grassroots != survivor_grassroots {
                        let n = &self.units[&u].name;
                        return Err(err(
                            self.op,
                            "VL0718",
                            format!("{n} không cùng cấp với đơn vị tiếp nhận."),
                            format!("{n} is not at the survivor's level."),
                        ));
                    }
                    for c in self.children(u) {
                        if grassroots {
                            self.set_parent_with_cdcs(c, into);
                        } else {
                            self.set_parent(c, into)?;
                        }
                    }
                    if grassroots {
                        self.transfer(u, into);
                    }
                    self.end(u, EndKind::Merged, "Sáp nhập");
                    self.out.steps.push(Step::Lineage {
                        from: u,
                        to: into,
                        kind: "merge",
                    });
                }
            }
            Op::Dissolve {
                unit,
                children_to,
                members_to,
                reason,
            } => {
                self.need_reason(reason)?;
                let u = self.live(*unit)?.clone();
                let grassroots = self.ty(&u.type_code)?.grassroots;
                let members_to = members_to.as_ref().map(|r| self.resolve(r)).transpose()?;
                if let Some(to) = members_to {
                    let t = self.live(to)?.type_code.clone();
                    if !grassroots || !self.ty(&t)?.grassroots || to == u.id {
                        return Err(err(
                            self.op,
                            "VL0719",
                            "đoàn viên chỉ chuyển từ một CĐCS sang một CĐCS khác.".into(),
                            "members move only from one grassroots union to another.".into(),
                        ));
                    }
                }
                if grassroots {
                    for c in self.children(u.id) {
                        match members_to {
                            Some(to) => self.set_parent_with_cdcs(c, to),
                            None => {
                                self.end_below(c, EndKind::Dissolved, reason);
                                self.end(c, EndKind::Dissolved, reason);
                            }
                        }
                    }
                    match members_to {
                        Some(to) => self.transfer(u.id, to),
                        None => self.exit(u.id, reason),
                    }
                } else {
                    let to = match children_to {
                        Some(r) => self.resolve(r)?,
                        None => u.parent.ok_or_else(|| {
                            err(
                                self.op,
                                "VL0720",
                                "đơn vị gốc không có cấp trên để nhận đơn vị cấp dưới.".into(),
                                "the root has no parent to receive its sub-units.".into(),
                            )
                        })?,
                    };
                    for c in self.children(u.id) {
                        self.set_parent(c, to)?;
                    }
                }
                self.end(u.id, EndKind::Dissolved, reason);
            }
            Op::End { unit, reason } => {
                self.need_reason(reason)?;
                let u = self.live(*unit)?.clone();
                if !self.ty(&u.type_code)?.grassroots {
                    return Err(err(
                        self.op,
                        "VL0721",
                        format!(
                            "{} không phải CĐCS; công đoàn cấp trên được giải thể (chuyển đơn vị cấp dưới) chứ không kết thúc cùng đoàn viên.",
                            u.name
                        ),
                        format!("{} is not a grassroots union; dissolve it instead.", u.name),
                    ));
                }
                self.end_below(u.id, EndKind::Ended, reason);
                self.exit(u.id, reason);
                self.end(u.id, EndKind::Ended, reason);
            }
            Op::Split {
                unit,
                parts,
                reason,
            } => {
                self.need_reason(reason)?;
                let u = self.live(*unit)?.clone();
                if parts.len() < 2 {
                    return Err(err(
                        self.op,
                        "VL0725",
                        "chia tách cần ít nhất hai đơn vị nhận.".into(),
                        "a split needs at least two receiving units.".into(),
                    ));
                }
                let (tier, grassroots) = {
                    let t = self.ty(&u.type_code)?;
                    (t.tier, t.grassroots)
                };
                let mut targets: Vec<i64> = Vec::new();
                for p in parts {
                    let to = self.resolve(&p.into)?;
                    let n = self.live(to)?.name.clone();
                    if targets.contains(&to) || self.is_ancestor_or_self(u.id, to) {
                        return Err(err(
                            self.op,
                            "VL0726",
                            format!(
                                "{n}: các đơn vị nhận phải khác nhau và không phải {} hay đơn vị trực thuộc nó.",
                                u.name
                            ),
                            format!(
                                "{n}: the receiving units must differ and be neither {} nor below it.",
                                u.name
                            ),
                        ));
                    }
                    let t = self.units[&to].type_code.clone();
                    if self.ty(&t)?.tier != tier || self.ty(&t)?.grassroots != grassroots {
                        return Err(err(
                            self.op,
                            "VL0718",
                            format!("{n} không cùng cấp với đơn vị bị chia tách."),
                            format!("{n} is not at the split unit's level."),
                        ));
                    }
                    targets.push(to);
                }
                let children = self.children(u.id);
                let mut listed: Vec<i64> = Vec::new();
                for (p, &to) in parts.iter().zip(&targets) {
                    for &c in &p.children {
                        if !children.contains(&c) || listed.contains(&c) {
                            let n = self
                                .units
                                .get(&c)
                                .map_or_else(|| c.to_string(), |x| x.name.clone());
                            return Err(err(
                                self.op,
                                "VL0727",
                                format!(
                                    "{n} không phải đơn vị trực thuộc {} hoặc đã được chia cho phần khác.",
                                    u.name
                                ),
                                format!(
                                    "{n} is not a sub-unit of {} or is already given to another part.",
                                    u.name
                                ),
                            ));
                        }
                        listed.push(c);
                        if grassroots {
                            self.transfer_within(u.id, to, c);
                        } else {
                            self.set_parent(c, to)?;
                        }
                    }
                }
                // The rule's default: the first part takes the rest.
                for c in children.into_iter().filter(|c| !listed.contains(c)) {
                    if grassroots {
                        self.set_parent_with_cdcs(c, targets[0]);
                    } else {
                        self.set_parent(c, targets[0])?;
                    }
                }
                if grassroots {
                    self.transfer(u.id, targets[0]);
                }
                self.end(u.id, EndKind::Split, reason);
                for to in targets {
                    self.out.steps.push(Step::Lineage {
                        from: u.id,
                        to,
                        kind: "split",
                    });
                }
            }
            Op::Reopen { unit, reason } => {
                self.need_reason(reason)?;
                let u = self.known(*unit)?.clone();
                if !u.ended {
                    return Err(err(
                        self.op,
                        "VL0728",
                        format!("{} đang hoạt động, không cần khôi phục.", u.name),
                        format!("{} is active; there is nothing to reopen.", u.name),
                    ));
                }
                if let Some(p) = u.parent
                    && self.units.get(&p).is_none_or(|p| p.ended)
                {
                    return Err(err(
                        self.op,
                        "VL0729",
                        format!(
                            "{}: đơn vị cấp trên của nó đã kết thúc; hãy khôi phục đơn vị cấp trên trước.",
                            u.name
                        ),
                        format!("{}: its parent has ended; reopen the parent first.", u.name),
                    ));
                }
                self.dated(&u)?;
                self.units.get_mut(unit).expect("present").ended = false;
                self.out.steps.push(Step::Reopen { unit: *unit });
                self.out.reopened.push(*unit);
            }
            Op::ReturnMembers {
                plan_id,
                units,
                moves,
                readmit,
            } => {
                for &(u, parent) in units {
                    self.live(u)?;
                    self.live(parent)?;
                    self.set_parent_with_cdcs(u, parent);
                }
                for m in moves.iter().chain(readmit) {
                    for id in [m.from, m.to] {
                        let t = self.live(id)?.type_code.clone();
                        if !self.ty(&t)?.grassroots {
                            return Err(err(
                                self.op,
                                "VL0719",
                                "đoàn viên chỉ chuyển từ một CĐCS sang một CĐCS khác.".into(),
                                "members move only from one grassroots union to another.".into(),
                            ));
                        }
                    }
                }
                for m in moves {
                    let n = m.members.min(self.units[&m.from].cdcs_members);
                    self.units.get_mut(&m.from).expect("live").cdcs_members -= n;
                    self.units.get_mut(&m.to).expect("live").cdcs_members += n;
                    self.out.members_transferred += n;
                }
                for m in readmit {
                    self.units.get_mut(&m.to).expect("live").cdcs_members += m.members;
                    self.out.members_readmitted += m.members;
                }
                self.out
                    .steps
                    .push(Step::ReturnMembers { plan_id: *plan_id });
            }
        }
        Ok(())
    }

    /// Findings over the tree after the plan (one pass to index the children, so a
    /// national plan with thousands of commune unions stays linear).
    fn findings(&mut self) {
        let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for u in self.units.values().filter(|u| !u.ended) {
            if let Some(p) = u.parent {
                children.entry(p).or_default().push(u.id);
            }
        }
        let grassroots = |u: &PlanUnit| self.ty(&u.type_code).is_ok_and(|t| t.grassroots);
        let mut findings = Vec::new();
        for u in self.units.values().filter(|u| !u.ended) {
            if let Some(p) = u.parent.and_then(|p| self.units.get(&p))
                && p.ended
            {
                findings.push(Finding {
                    blocking: true,
                    unit: u.id,
                    message_vi: format!(
                        "{} không còn đơn vị cấp trên quản lý ({} đã kết thúc).",
                        u.name, p.name
                    ),
                    message_en: format!(
                        "{} is left without a managing parent ({} ended).",
                        u.name, p.name
                    ),
                });
            }
            if u.type_code != "CD_XA" {
                continue;
            }
            let direct = children.get(&u.id).map(Vec::as_slice).unwrap_or(&[]);
            let cdcs = direct
                .iter()
                .filter(|c| grassroots(&self.units[*c]))
                .count() as i64;
            let (mut members, mut stack) = (0, vec![u.id]);
            while let Some(id) = stack.pop() {
                members += self.units[&id].cdcs_members;
                stack.extend(children.get(&id).into_iter().flatten());
            }
            let rules = &self.snap.rules;
            let short_members = rules.commune_min_members.is_some_and(|m| members < m);
            let short_cdcs = rules.commune_min_cdcs.is_some_and(|m| cdcs < m);
            if short_members || short_cdcs {
                findings.push(Finding {
                    blocking: false,
                    unit: u.id,
                    message_vi: format!(
                        "{} có {} đoàn viên và {} CĐCS, dưới tiêu chí thành lập công đoàn xã ({} đoàn viên, {} CĐCS): cân nhắc mô hình dùng chung với xã lân cận.",
                        u.name,
                        crate::format_int(members),
                        cdcs,
                        crate::format_int(rules.commune_min_members.unwrap_or(0)),
                        rules.commune_min_cdcs.unwrap_or(0)
                    ),
                    message_en: format!(
                        "{} has {} members and {} grassroots unions, under the commune-union criteria ({} members, {} unions): consider a union shared with neighbouring communes.",
                        u.name,
                        members,
                        cdcs,
                        rules.commune_min_members.unwrap_or(0),
                        rules.commune_min_cdcs.unwrap_or(0)
                    ),
                });
            }
        }
        self.out.findings = findings;
    }
}

/// Runs a plan over a snapshot: the outcome, or the first operation that cannot apply.
pub fn simulate(snap: &Snapshot, on: Date, ops: &[Op]) -> Result<Outcome, PlanError> {
    if ops.is_empty() {
        return Err(err(
            0,
            "VL0722",
            "phương án chưa có thao tác nào.".into(),
            "the plan has no operation.".into(),
        ));
    }
    let mut sim = Sim {
        snap,
        on,
        units: snap.units.clone(),
        keys: BTreeMap::new(),
        out: Outcome::default(),
        op: 0,
    };
    for (i, op) in ops.iter().enumerate() {
        sim.op = i + 1;
        sim.apply(op).map_err(|mut e| {
            e.message_vi = format!("Thao tác {} ({}): {}", i + 1, op.label(), e.message_vi);
            e.message_en = format!("Operation {}: {}", i + 1, e.message_en);
            e
        })?;
    }
    sim.findings();
    sim.out.after = sim.units;
    Ok(sim.out)
}

/// What an applied plan did, recorded with it so that it can be reverted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub created: Vec<i64>,
    /// Units moved, with the parent each had before the plan.
    pub moved: Vec<(i64, i64)>,
    /// Units renamed, with the name before.
    pub renamed: Vec<(i64, String)>,
    /// Units retyped, with the type before.
    pub retyped: Vec<(i64, String)>,
    pub ended: Vec<i64>,
    /// Places in emulation clusters (unit, cluster) before the plan, of the units it
    /// ended and of the units that took over from them (filled in by the store).
    #[serde(default)]
    pub clusters: Vec<(i64, i64)>,
    /// Officials' posts (assignment ids) that ended with the units it ended, and the
    /// terms of their committees as they stood before (filled in by the store): a
    /// revert re-appoints the officials to the units that come back.
    #[serde(default)]
    pub posts: Vec<i64>,
    #[serde(default)]
    pub terms: Vec<(i64, Option<Date>)>,
}

impl Applied {
    /// From a plan's outcome over the tree `before` it; `real` maps the ids of units
    /// created by the plan to their stored ids.
    pub fn of(out: &Outcome, before: &Snapshot, real: impl Fn(i64) -> i64) -> Applied {
        let was = |id: &i64| before.units.get(id);
        let mut moved: Vec<(i64, i64)> = Vec::new();
        for id in &out.moved {
            if let Some(p) = was(id).and_then(|u| u.parent)
                && !moved.iter().any(|(m, _)| m == id)
            {
                moved.push((*id, p));
            }
        }
        Applied {
            created: out.created.iter().map(|id| real(*id)).collect(),
            moved,
            renamed: out
                .renamed
                .iter()
                .filter_map(|id| Some((*id, was(id)?.name.clone())))
                .collect(),
            retyped: out
                .retyped
                .iter()
                .filter_map(|id| Some((*id, was(id)?.type_code.clone())))
                .collect(),
            ended: out.ended.iter().map(|id| real(*id)).collect(),
            clusters: vec![],
            posts: vec![],
            terms: vec![],
        }
    }
}

/// Members an applied plan transferred who are still in the CĐCS it put them in,
/// grouped by the unit they came from (counted by the store from their history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StillMoved {
    pub cdcs: i64,
    pub came_from: i64,
    pub members: i64,
}

/// The operations that undo an applied plan, over the tree as it stands now: reopen
/// what it ended (parents first), rename and retype back, move units back, return its
/// members and re-admit those it made leave, then dissolve what it created (deepest
/// first). The result is an ordinary draft: the user previews, edits and applies it.
pub fn inverse(
    plan_id: i64,
    plan_name: &str,
    applied: &Applied,
    now: &Snapshot,
    moved_members: &[StillMoved],
    exited: &[(i64, i64)],
) -> Vec<Op> {
    let reason = format!("Hoàn tác phương án «{plan_name}»");
    let unit = |id: &i64| now.units.get(id);
    let depth = |mut id: i64| {
        let mut d = 0;
        while let Some(p) = unit(&id).and_then(|u| u.parent) {
            d += 1;
            id = p;
        }
        d
    };
    let rule = |code: &str| now.types.iter().find(|t| t.code == code);
    let inside_cdcs = |id: &i64| {
        unit(id)
            .and_then(|u| rule(&u.type_code))
            .is_some_and(|t| t.holds_members && !t.grassroots)
    };
    let mut ops = Vec::new();
    let mut reopen: Vec<i64> = applied
        .ended
        .iter()
        .copied()
        .filter(|id| !applied.created.contains(id) && unit(id).is_some_and(|u| u.ended))
        .collect();
    reopen.sort_by_key(|id| depth(*id));
    ops.extend(reopen.into_iter().map(|unit| Op::Reopen {
        unit,
        reason: reason.clone(),
    }));
    for (id, name) in &applied.renamed {
        ops.push(Op::Rename {
            unit: UnitRef::Id(*id),
            name: name.clone(),
        });
    }
    for (id, type_code) in &applied.retyped {
        ops.push(Op::Retype {
            unit: UnitRef::Id(*id),
            type_code: type_code.clone(),
        });
    }
    // Units back under their old parents: upper ones by ordinary moves (one per
    // parent), sub-units of a CĐCS together with their members.
    let back: Vec<(i64, i64)> = applied
        .moved
        .iter()
        .copied()
        .filter(|(id, old)| unit(id).is_some_and(|u| u.parent != Some(*old)))
        .collect();
    let mut by_parent: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    let mut sub_units = Vec::new();
    for (id, old) in &back {
        if inside_cdcs(id) {
            sub_units.push((*id, *old));
        } else {
            by_parent.entry(*old).or_default().push(*id);
        }
    }
    for (parent, units) in by_parent {
        ops.push(Op::Move {
            units,
            parent: UnitRef::Id(parent),
        });
    }
    // Where a member's old unit sits once the units are back: its CĐCS.
    let parent_after = |id: i64| {
        back.iter()
            .find(|(u, _)| *u == id)
            .map(|(_, p)| *p)
            .or_else(|| unit(&id).and_then(|u| u.parent))
    };
    let cdcs_after = |mut id: i64| loop {
        let u = unit(&id)?;
        if rule(&u.type_code).is_some_and(|t| t.grassroots) {
            return Some(id);
        }
        id = parent_after(id)?;
    };
    let mut moves: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for m in moved_members {
        if let Some(to) = cdcs_after(m.came_from)
            && to != m.cdcs
        {
            *moves.entry((m.cdcs, to)).or_default() += m.members;
        }
    }
    let moves: Vec<MemberReturn> = moves
        .into_iter()
        .map(|((from, to), members)| MemberReturn { from, to, members })
        .collect();
    let readmit: Vec<MemberReturn> = exited
        .iter()
        .map(|&(cdcs, members)| MemberReturn {
            from: cdcs,
            to: cdcs,
            members,
        })
        .collect();
    // Also when only units come back: the step restores their links and cluster places.
    let reopened = ops.iter().any(|o| matches!(o, Op::Reopen { .. }));
    if reopened || !(sub_units.is_empty() && moves.is_empty() && readmit.is_empty()) {
        ops.push(Op::ReturnMembers {
            plan_id,
            units: sub_units,
            moves,
            readmit,
        });
    }
    let mut created: Vec<i64> = applied
        .created
        .iter()
        .copied()
        .filter(|id| unit(id).is_some_and(|u| !u.ended))
        .collect();
    created.sort_by_key(|id| std::cmp::Reverse(depth(*id)));
    ops.extend(created.into_iter().map(|unit| Op::Dissolve {
        unit,
        children_to: None,
        members_to: None,
        reason: reason.clone(),
    }));
    ops
}

/// A cap on the size of an executive committee (BCH), in force on the plan's date
/// (HD 38/HD-TLĐ, then KH 22/KH-TLĐ; loaded by the store from `committee_cap`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapRule {
    pub rule_set: String,
    pub type_code: String,
    /// A province's own cap (Hà Nội, TP.HCM) overrides the general rows.
    pub province_code: Option<i64>,
    pub members_from: i64,
    pub members_below: Option<i64>,
    pub max_bch: i64,
}

/// A unit's sitting executive committee, as the preview needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    /// Active BCH posts.
    pub bch: i64,
    /// Number (khóa) of the current term, when recorded.
    pub term_no: Option<i64>,
    pub province_code: Option<i64>,
}

/// The cap for a unit of `type_code` with `members`, if the rules in force know one.
pub fn bch_cap<'a>(
    caps: &'a [CapRule],
    type_code: &str,
    province: Option<i64>,
    members: i64,
) -> Option<&'a CapRule> {
    let fits = |c: &&CapRule| {
        c.type_code == type_code
            && c.members_from <= members
            && c.members_below.is_none_or(|b| members < b)
    };
    caps.iter()
        .filter(fits)
        .find(|c| c.province_code.is_some() && c.province_code == province)
        .or_else(|| caps.iter().filter(fits).find(|c| c.province_code.is_none()))
}

/// What the preview says about the committees and terms of merged units (HD 38 §2.2,
/// §7.2): the survivor's appointed BCH may not exceed the sum of its predecessors'
/// nor the cap for its size (+10 % with the upper level's consent); a kept name keeps
/// its term numbering, a new name restarts at term 1. Never blocking: committees are
/// appointed after the plan.
pub fn committee_findings(
    before: &BTreeMap<i64, PlanUnit>,
    out: &Outcome,
    boards: &BTreeMap<i64, Board>,
    caps: &[CapRule],
) -> Vec<Finding> {
    let mut merged_into: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for step in &out.steps {
        if let Step::Lineage {
            from,
            to,
            kind: "merge",
        } = step
        {
            merged_into.entry(*to).or_default().push(*from);
        }
    }
    if merged_into.is_empty() {
        return vec![];
    }
    let mut children: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for u in out.after.values().filter(|u| !u.ended) {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u.id);
        }
    }
    let subtree_members = |root: i64| {
        let (mut n, mut stack) = (0, vec![root]);
        while let Some(id) = stack.pop() {
            n += out.after[&id].cdcs_members;
            stack.extend(children.get(&id).into_iter().flatten());
        }
        n
    };
    let mut findings = Vec::new();
    for (to, froms) in merged_into {
        let survivor = &out.after[&to];
        let board = |id: &i64| boards.get(id).cloned().unwrap_or_default();
        let predecessors: Vec<i64> = froms
            .iter()
            .copied()
            .chain((to > 0).then_some(to))
            .collect();
        let sum: i64 = predecessors.iter().map(|id| board(id).bch).sum();
        let members = subtree_members(to);
        let province = predecessors.iter().find_map(|id| board(id).province_code);
        let (cap_vi, cap_en, limit) = match bch_cap(caps, &survivor.type_code, province, members) {
            Some(c) => {
                let raised = c.max_bch + (c.max_bch + 9) / 10;
                (
                    format!(
                        "theo {} tối đa {} ủy viên với {} đoàn viên (thêm tối đa 10%, tức {}, nếu cấp trên đồng ý bằng văn bản)",
                        c.rule_set,
                        c.max_bch,
                        crate::format_int(members),
                        raised
                    ),
                    format!(
                        "{} allows {} for {members} members ({raised} with the upper level's written consent)",
                        c.rule_set, c.max_bch
                    ),
                    Some(c.max_bch.min(sum.max(1))),
                )
            }
            None => (
                format!(
                    "quy định đang áp dụng chưa có mức trần cho quy mô {} đoàn viên",
                    crate::format_int(members)
                ),
                format!("the rules in force give no cap for {members} members"),
                None,
            ),
        };
        let limit_vi = limit.map_or(String::new(), |l| format!(" Đề xuất tối đa {l} ủy viên."));
        findings.push(Finding {
            blocking: false,
            unit: to,
            message_vi: format!(
                "BCH của {} sau sáp nhập do cấp trên chỉ định: không vượt tổng BCH các đơn vị trước sáp nhập ({sum}); {cap_vi}.{limit_vi}",
                survivor.name
            ),
            message_en: format!(
                "The appointed committee of {} may not exceed its predecessors' total ({sum}); {cap_en}.",
                survivor.name
            ),
        });
        let renamed = before.get(&to).is_none_or(|b| b.name != survivor.name);
        let (vi, en) = match (renamed, board(&to).term_no) {
            (true, _) => (
                format!(
                    "{} mang tên mới: nhiệm kỳ đánh số lại từ khóa I (HD 38 §7.2).",
                    survivor.name
                ),
                format!(
                    "{} has a new name: its terms restart at term 1 (HD 38 §7.2).",
                    survivor.name
                ),
            ),
            (false, Some(n)) => (
                format!(
                    "{} giữ tên: giữ số thứ tự nhiệm kỳ (khóa {n}) (HD 38 §7.2).",
                    survivor.name
                ),
                format!(
                    "{} keeps its name and its term numbering (term {n}) (HD 38 §7.2).",
                    survivor.name
                ),
            ),
            (false, None) => (
                format!(
                    "{} giữ tên: giữ số thứ tự nhiệm kỳ hiện tại (HD 38 §7.2).",
                    survivor.name
                ),
                format!(
                    "{} keeps its name and its term numbering (HD 38 §7.2).",
                    survivor.name
                ),
            ),
        };
        findings.push(Finding {
            blocking: false,
            unit: to,
            message_vi: vi,
            message_en: en,
        });
    }
    findings
}

/// Levels between each grassroots union and its province-level federation (tier 2),
/// as a histogram {levels: number of CĐCS} (seed 000: fewer intermediaries, faster
/// directives). A CĐCS directly under its LĐLĐ has 0.
pub fn intermediaries(units: &BTreeMap<i64, PlanUnit>, types: &[TypeRule]) -> BTreeMap<i64, i64> {
    let tier = |code: &str| {
        types
            .iter()
            .find(|t| t.code == code)
            .map(|t| (t.tier, t.grassroots))
    };
    let mut out = BTreeMap::new();
    for u in units.values().filter(|u| !u.ended) {
        if !tier(&u.type_code).is_some_and(|(_, g)| g) {
            continue;
        }
        let mut levels = 0;
        let mut cur = u.parent;
        let mut seen = BTreeSet::new();
        while let Some(p) = cur.and_then(|p| units.get(&p)) {
            if !seen.insert(p.id) || tier(&p.type_code).is_some_and(|(t, _)| t <= 2) {
                break;
            }
            levels += 1;
            cur = p.parent;
        }
        *out.entry(levels).or_default() += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn types() -> Vec<TypeRule> {
        let t = |code: &str, tier, grassroots, holds, from, to| TypeRule {
            code: code.into(),
            name_vi: code.into(),
            tier,
            grassroots,
            holds_members: holds,
            valid_from: from,
            valid_to: to,
        };
        vec![
            t("LDLD_TINH", 2, false, false, None, None),
            t(
                "LDLD_HUYEN",
                3,
                false,
                false,
                None,
                Some(date!(2025 - 07 - 01)),
            ),
            t("CD_XA", 3, false, false, Some(date!(2025 - 07 - 01)), None),
            t("CDCS", 4, true, true, None, None),
            t("CD_BO_PHAN", 5, false, true, None, None),
        ]
    }

    fn unit(id: i64, ty: &str, parent: Option<i64>, members: i64) -> (i64, PlanUnit) {
        (
            id,
            PlanUnit {
                id,
                code: format!("U{id}"),
                name: format!("Đơn vị {id}"),
                type_code: ty.into(),
                parent,
                founded_on: date!(2000 - 01 - 01),
                ended: false,
                last_change: date!(2000 - 01 - 01),
                cdcs_members: if ty == "CDCS" { members } else { 0 },
                members,
            },
        )
    }

    /// Province 1; district 2 with CĐCS 3 (bộ phận 5) and 4; district 6 with CĐCS 7.
    fn snap() -> Snapshot {
        Snapshot {
            units: [
                unit(1, "LDLD_TINH", None, 0),
                unit(2, "LDLD_HUYEN", Some(1), 0),
                unit(3, "CDCS", Some(2), 40),
                unit(4, "CDCS", Some(2), 25),
                unit(5, "CD_BO_PHAN", Some(3), 0),
                unit(6, "LDLD_HUYEN", Some(1), 0),
                unit(7, "CDCS", Some(6), 900),
            ]
            .into_iter()
            .collect(),
            types: types(),
            rules: PlanRules {
                commune_min_members: Some(1500),
                commune_min_cdcs: Some(10),
            },
        }
    }

    const D: Date = date!(2025 - 07 - 01);

    #[test]
    fn a_split_gives_each_part_its_departments_and_the_first_the_rest() {
        let mut sn = snap();
        sn.units.get_mut(&5).unwrap().members = 15;
        let create = Op::Create {
            key: "a".into(),
            code: "U3A".into(),
            name: "CĐCS phần A".into(),
            type_code: "CDCS".into(),
            parent: UnitRef::Id(2),
        };
        let split = |parts: Vec<SplitPart>| Op::Split {
            unit: 3,
            parts,
            reason: "Tách doanh nghiệp".into(),
        };
        let part = |into: UnitRef, children: Vec<i64>| SplitPart { into, children };
        let ops = [
            create.clone(),
            split(vec![
                part(UnitRef::New("a".into()), vec![]),
                part(UnitRef::Id(4), vec![5]),
            ]),
        ];
        let out = simulate(&sn, D, &ops).unwrap();
        assert_eq!(out.after[&5].parent, Some(4));
        assert_eq!(out.after[&4].cdcs_members, 25 + 15);
        assert_eq!(out.after[&-1].cdcs_members, 40 - 15);
        assert!(out.after[&3].ended && out.ended.contains(&3));
        assert_eq!(out.members_transferred, 40);
        assert!(out.steps.contains(&Step::TransferMembers {
            from: 3,
            to: 4,
            within: Some(5)
        }));
        let lineage: Vec<i64> = out
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Lineage {
                    from: 3,
                    to,
                    kind: "split",
                } => Some(*to),
                _ => None,
            })
            .collect();
        assert_eq!(lineage, vec![-1, 4]);

        let refused = |parts: Vec<SplitPart>| {
            simulate(&sn, D, &[create.clone(), split(parts)])
                .unwrap_err()
                .code
        };
        assert_eq!(refused(vec![part(UnitRef::Id(4), vec![])]), "VL0725");
        assert_eq!(
            refused(vec![
                part(UnitRef::Id(4), vec![]),
                part(UnitRef::Id(3), vec![])
            ]),
            "VL0726"
        );
        assert_eq!(
            refused(vec![
                part(UnitRef::Id(4), vec![]),
                part(UnitRef::Id(7), vec![5, 5])
            ]),
            "VL0727"
        );
        assert_eq!(
            refused(vec![
                part(UnitRef::Id(4), vec![]),
                part(UnitRef::Id(7), vec![4])
            ]),
            "VL0727"
        );
        assert_eq!(
            refused(vec![
                part(UnitRef::Id(4), vec![]),
                part(UnitRef::Id(6), vec![])
            ]),
            "VL0718"
        );
    }

    #[test]
    fn the_inverse_of_a_plan_puts_units_and_members_back() {
        let before = snap();
        let ops = [
            Op::Dissolve {
                unit: 2,
                children_to: None,
                members_to: None,
                reason: "Kết thúc hoạt động LĐLĐ huyện".into(),
            },
            Op::Merge {
                units: vec![4],
                into: UnitRef::Id(7),
            },
            Op::Rename {
                unit: UnitRef::Id(7),
                name: "CĐCS hợp nhất".into(),
            },
        ];
        let out = simulate(&before, D, &ops).unwrap();
        let applied = Applied::of(&out, &before, |id| id);
        assert_eq!(applied.ended, vec![2, 4]);
        assert!(applied.moved.contains(&(3, 2)) && applied.moved.contains(&(4, 2)));
        let now = Snapshot {
            units: out.after.clone(),
            ..before.clone()
        };
        let moved = [StillMoved {
            cdcs: 7,
            came_from: 4,
            members: 25,
        }];
        let inverse_ops = inverse(9, "Sắp xếp", &applied, &now, &moved, &[]);
        assert!(
            matches!(inverse_ops[0], Op::Reopen { unit: 2, .. }),
            "{inverse_ops:?}"
        );
        let back = simulate(&now, date!(2026 - 01 - 01), &inverse_ops).unwrap();
        for id in [2, 3, 4, 5, 6, 7] {
            let (b, a) = (&before.units[&id], &back.after[&id]);
            assert_eq!(
                (a.parent, a.ended, &a.name),
                (b.parent, false, &b.name),
                "unit {id}"
            );
        }
        assert_eq!(back.after[&4].cdcs_members, 25);
        assert_eq!(back.after[&7].cdcs_members, 900);
        assert_eq!(back.reopened, vec![2, 4]);
        // Reopening what is open, or before the unit ended, is refused.
        let refused = simulate(
            &now,
            date!(2026 - 01 - 01),
            &[Op::Reopen {
                unit: 7,
                reason: "Thử lại".into(),
            }],
        )
        .unwrap_err();
        assert_eq!(refused.code, "VL0728");
    }

    #[test]
    fn dissolving_a_district_rehomes_its_cdcs_to_the_province() {
        let out = simulate(
            &snap(),
            D,
            &[Op::Dissolve {
                unit: 2,
                children_to: None,
                members_to: None,
                reason: "Kết thúc hoạt động LĐLĐ huyện".into(),
            }],
        )
        .unwrap();
        assert_eq!(out.after[&3].parent, Some(1));
        assert_eq!(out.after[&4].parent, Some(1));
        assert!(out.after[&2].ended);
        assert_eq!(out.moved, vec![3, 4]);
        assert_eq!(out.ended, vec![2]);
        assert!(!out.is_blocked());
        let before = intermediaries(&snap().units, &snap().types);
        let after = intermediaries(&out.after, &snap().types);
        assert_eq!(before, BTreeMap::from([(1, 3)]));
        assert_eq!(after, BTreeMap::from([(0, 2), (1, 1)]));
    }

    #[test]
    fn a_commune_union_takes_cdcs_and_is_flagged_under_the_criteria() {
        let out = simulate(
            &snap(),
            D,
            &[
                Op::Create {
                    key: "xa".into(),
                    code: "x-1".into(),
                    name: "Công đoàn xã Mỹ Hòa".into(),
                    type_code: "CD_XA".into(),
                    parent: UnitRef::Id(1),
                },
                Op::Move {
                    units: vec![3, 4, 7],
                    parent: UnitRef::New("xa".into()),
                },
                Op::Dissolve {
                    unit: 2,
                    children_to: None,
                    members_to: None,
                    reason: "Kết thúc".into(),
                },
            ],
        )
        .unwrap();
        assert_eq!(out.after[&-1].code, "X-1");
        assert_eq!(out.after[&7].parent, Some(-1));
        let f = &out.findings[0];
        assert!(!f.blocking && f.unit == -1);
        assert!(
            f.message_vi.contains("965 đoàn viên và 3 CĐCS"),
            "{}",
            f.message_vi
        );
    }

    #[test]
    fn a_commune_union_cannot_exist_before_july_2025() {
        let e = simulate(
            &snap(),
            date!(2025 - 06 - 30),
            &[Op::Create {
                key: "xa".into(),
                code: "X".into(),
                name: "Công đoàn xã".into(),
                type_code: "CD_XA".into(),
                parent: UnitRef::Id(1),
            }],
        )
        .unwrap_err();
        assert_eq!((e.op, e.code), (1, "VL0711"));
        assert!(
            e.message_vi.starts_with(
                "Thao tác 1 (Thành lập): loại «CD_XA» không tồn tại vào ngày 30/06/2025"
            ),
            "{}",
            e.message_vi
        );
    }

    #[test]
    fn moving_a_unit_under_its_own_descendant_is_refused_naming_the_operation() {
        let e = simulate(
            &snap(),
            D,
            &[
                Op::Rename {
                    unit: UnitRef::Id(3),
                    name: "CĐCS mới".into(),
                },
                Op::Move {
                    units: vec![2],
                    parent: UnitRef::Id(3),
                },
            ],
        )
        .unwrap_err();
        assert_eq!((e.op, e.code), (2, "VL0707"));
        assert!(e.message_vi.contains("Thao tác 2 (Chuyển đơn vị cấp trên)"));
    }

    #[test]
    fn an_ended_unit_and_a_date_before_the_last_change_are_refused() {
        let dissolve = Op::Dissolve {
            unit: 4,
            children_to: None,
            members_to: None,
            reason: "Doanh nghiệp giải thể".into(),
        };
        let e = simulate(&snap(), D, &[dissolve.clone(), dissolve]).unwrap_err();
        assert_eq!((e.op, e.code), (2, "VL0704"));
        let mut s = snap();
        s.units.get_mut(&4).unwrap().last_change = date!(2025 - 08 - 01);
        let e = simulate(
            &s,
            D,
            &[Op::Rename {
                unit: UnitRef::Id(4),
                name: "Tên mới".into(),
            }],
        )
        .unwrap_err();
        assert_eq!(e.code, "VL0705");
        assert!(e.message_vi.contains("01/08/2025"), "{}", e.message_vi);
    }

    #[test]
    fn merging_cdcs_moves_sub_units_and_members_to_the_survivor() {
        let out = simulate(
            &snap(),
            D,
            &[Op::Merge {
                units: vec![3],
                into: UnitRef::Id(7),
            }],
        )
        .unwrap();
        assert_eq!(out.after[&5].parent, Some(7));
        assert_eq!(out.after[&7].cdcs_members, 940);
        assert_eq!(out.members_transferred, 40);
        assert!(out.steps.contains(&Step::Lineage {
            from: 3,
            to: 7,
            kind: "merge"
        }));
        // A bộ phận cannot be moved to another CĐCS by hand.
        let e = simulate(
            &snap(),
            D,
            &[Op::Move {
                units: vec![5],
                parent: UnitRef::Id(7),
            }],
        )
        .unwrap_err();
        assert_eq!(e.code, "VL0708");
    }

    #[test]
    fn ending_a_state_agency_cdcs_exits_its_members_and_ends_its_sub_units() {
        let out = simulate(
            &snap(),
            D,
            &[Op::End {
                unit: 3,
                reason: "Cơ quan hưởng lương 100% ngân sách (CV 4133/TLĐ-ToC)".into(),
            }],
        )
        .unwrap();
        assert_eq!(out.members_exited, 40);
        assert_eq!(out.ended, vec![5, 3]);
        // Ending an upper unit this way is refused: it must be dissolved.
        let e = simulate(
            &snap(),
            D,
            &[Op::End {
                unit: 2,
                reason: "x x x".into(),
            }],
        )
        .unwrap_err();
        assert_eq!(e.code, "VL0721");
    }

    #[test]
    fn a_dissolved_units_children_go_to_the_named_receiver() {
        let out = simulate(
            &snap(),
            D,
            &[Op::Dissolve {
                unit: 6,
                children_to: Some(UnitRef::Id(2)),
                members_to: None,
                reason: "Sắp xếp".into(),
            }],
        )
        .unwrap();
        assert!(!out.is_blocked());
        assert_eq!(out.after[&7].parent, Some(2));
        let e = simulate(&snap(), D, &[]).unwrap_err();
        assert_eq!((e.op, e.code), (0, "VL0722"));
    }

    fn caps() -> Vec<CapRule> {
        let c = |from, below, max| CapRule {
            rule_set: "HD38".into(),
            type_code: "CDCS".into(),
            province_code: None,
            members_from: from,
            members_below: below,
            max_bch: max,
        };
        vec![
            c(0, Some(30), 3),
            c(30, Some(150), 7),
            c(150, Some(500), 11),
        ]
    }

    #[test]
    fn a_merged_union_is_told_its_committee_cap_and_term_numbering() {
        // CĐCS 3 (40 members, BCH 7, term 5) absorbs CĐCS 4 (25 members, BCH 3).
        let out = simulate(
            &snap(),
            D,
            &[Op::Merge {
                units: vec![4],
                into: UnitRef::Id(3),
            }],
        )
        .unwrap();
        let boards: BTreeMap<i64, Board> = [
            (
                3,
                Board {
                    bch: 7,
                    term_no: Some(5),
                    province_code: None,
                },
            ),
            (
                4,
                Board {
                    bch: 3,
                    term_no: Some(2),
                    province_code: None,
                },
            ),
        ]
        .into_iter()
        .collect();
        let f = committee_findings(&snap().units, &out, &boards, &caps());
        assert_eq!(f.len(), 2);
        assert!(
            f[0].message_vi
                .contains("tổng BCH các đơn vị trước sáp nhập (10)"),
            "{}",
            f[0].message_vi
        );
        assert!(
            f[0].message_vi
                .contains("theo HD38 tối đa 7 ủy viên với 65 đoàn viên"),
            "{}",
            f[0].message_vi
        );
        assert!(f[0].message_vi.contains("Đề xuất tối đa 7 ủy viên"));
        assert!(f[1].message_vi.contains("giữ số thứ tự nhiệm kỳ (khóa 5)"));
        assert!(f.iter().all(|f| !f.blocking));
        // Renamed in the same plan: the terms restart; a size with no rule says so.
        let out = simulate(
            &snap(),
            D,
            &[
                Op::Merge {
                    units: vec![4, 7],
                    into: UnitRef::Id(3),
                },
                Op::Rename {
                    unit: UnitRef::Id(3),
                    name: "Công đoàn Công ty hợp nhất".into(),
                },
            ],
        )
        .unwrap();
        let f = committee_findings(&snap().units, &out, &boards, &caps());
        assert!(
            f[0].message_vi
                .contains("chưa có mức trần cho quy mô 965 đoàn viên"),
            "{}",
            f[0].message_vi
        );
        assert!(f[1].message_vi.contains("khóa I"));
        // No merger, nothing to say.
        let out = simulate(
            &snap(),
            D,
            &[Op::Rename {
                unit: UnitRef::Id(3),
                name: "Tên mới".into(),
            }],
        )
        .unwrap();
        assert!(committee_findings(&snap().units, &out, &boards, &caps()).is_empty());
    }

    #[test]
    fn a_province_cap_overrides_the_general_one() {
        let mut c = caps();
        c.push(CapRule {
            province_code: Some(1),
            max_bch: 55,
            members_from: 0,
            members_below: None,
            ..c[0].clone()
        });
        assert_eq!(bch_cap(&c, "CDCS", Some(1), 40).unwrap().max_bch, 55);
        assert_eq!(bch_cap(&c, "CDCS", Some(2), 40).unwrap().max_bch, 7);
        assert!(bch_cap(&c, "CDCS", None, 900).is_none());
    }
}
