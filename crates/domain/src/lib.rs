//! Pure domain rules of congdoan, the platform for Vietnamese trade unions
//! (Công đoàn Việt Nam): validation of personal data, Vietnamese text
//! handling, membership status rules and the unit tree. No I/O, so every
//! rule is testable without a database.

pub mod cccd;
pub mod date;
pub mod divisions;
pub mod emulation;
pub mod error;
pub mod form;
pub mod member;
pub mod money;
pub mod movement;
pub mod path;
pub mod phone;
pub mod reform;
pub mod request;
pub mod restructure;
pub mod reward;
pub mod seed;
pub mod text;
pub mod todo;

pub use cccd::{CCCD_PROVINCE_CODES, Cccd, cccd_province_name, make_cccd};
pub use date::{
    add_months, age_on, ensure_not_future, ensure_order, format_vn_date, format_vn_datetime,
    parse_vn_date,
};
pub use error::{DomainError, ErrorCode, Lang, field_label};
pub use member::{
    MemberEventKind, MemberStatus, MembershipRules, Sex, transfer_target_status, transition,
};
pub use money::{format_int, format_vnd, in_words};
pub use path::OrgPath;
pub use phone::PhoneVn;
pub use text::{PersonName, fold, fold_query_tokens, name_sort_key, nfc, text_sort_key};
