//! Formulas and rule sides: `+ - * /`, parentheses, numbers and field keys, and
//! `sum(…)`, `min(…)`, `max(…)`. Arithmetic is exact (fractions of i128), so a
//! rule such as `a + b = c` over decimals never fails on a rounding error.

use std::fmt;

/// Longest formula accepted, and deepest nesting: a hostile definition must
/// not make the parser recurse without bound.
const MAX_LEN: usize = 2_000;
const MAX_DEPTH: usize = 48;

/// An exact fraction `n / d` with `d > 0`, kept reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    n: i128,
    d: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Values past this are refused as overflow: far beyond any union figure,
/// well inside i128 so products of two never wrap unnoticed.
const LIMIT: i128 = 1 << 100;

impl Ratio {
    pub fn int(n: i64) -> Ratio {
        Ratio {
            n: i128::from(n),
            d: 1,
        }
    }

    /// `v / 10^places`: a stored value back to the number it stands for.
    pub fn scaled(v: i64, places: u32) -> Ratio {
        Ratio::new(i128::from(v), 10i128.pow(places)).unwrap_or(Ratio::int(0))
    }

    fn new(n: i128, d: i128) -> Option<Ratio> {
        if d == 0 {
            return None;
        }
        let g = gcd(n, d);
        let (mut n, mut d) = (n / g, d / g);
        if d < 0 {
            n = -n;
            d = -d;
        }
        if n.abs() > LIMIT || d > LIMIT {
            return None;
        }
        Some(Ratio { n, d })
    }

    fn add(self, o: Ratio) -> Option<Ratio> {
        let n = self
            .n
            .checked_mul(o.d)?
            .checked_add(o.n.checked_mul(self.d)?)?;
        Ratio::new(n, self.d.checked_mul(o.d)?)
    }

    fn sub(self, o: Ratio) -> Option<Ratio> {
        self.add(Ratio { n: -o.n, d: o.d })
    }

    fn mul(self, o: Ratio) -> Option<Ratio> {
        Ratio::new(self.n.checked_mul(o.n)?, self.d.checked_mul(o.d)?)
    }

    fn div(self, o: Ratio) -> Option<Ratio> {
        if o.n == 0 {
            return None;
        }
        Ratio::new(self.n.checked_mul(o.d)?, self.d.checked_mul(o.n)?)
    }

    /// The value times `10^places`, rounded half away from zero; `None` when it
    /// does not fit an i64.
    pub fn to_scaled(self, places: u32) -> Option<i64> {
        let num = self.n.checked_mul(10i128.pow(places))?;
        let q = num / self.d;
        let r = num % self.d;
        let q = if r.abs() * 2 >= self.d {
            q + num.signum()
        } else {
            q
        };
        i64::try_from(q).ok()
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> std::cmp::Ordering {
        // Exact cross-multiplication while it fits; values near LIMIT (far past any
        // real figure) are compared in floating point instead of overflowing.
        match (self.n.checked_mul(o.d), o.n.checked_mul(self.d)) {
            (Some(a), Some(b)) => a.cmp(&b),
            _ => (self.n as f64 / self.d as f64).total_cmp(&(o.n as f64 / o.d as f64)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Sum,
    Min,
    Max,
}

/// A parsed formula.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Num(Ratio, String),
    Ref(String),
    Neg(Box<Expr>),
    Bin(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
}

/// Why a formula could not be parsed, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub vi: String,
    pub en: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Ratio, String),
    Ident(String),
    Op(char),
    Open,
    Close,
    Comma,
}

fn err(vi: impl Into<String>, en: impl Into<String>) -> SyntaxError {
    SyntaxError {
        vi: vi.into(),
        en: en.into(),
    }
}

/// Whether `c` may appear in a field reference: keys are snake_case and
/// disaggregated parts are written `key.part`.
fn ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn lex(src: &str) -> Result<Vec<Tok>, SyntaxError> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let value = parse_literal(&text).ok_or_else(|| {
                err(
                    format!("số “{text}” không hợp lệ trong công thức"),
                    format!("“{text}” is not a valid number in the formula"),
                )
            })?;
            out.push(Tok::Num(value, text));
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && ident_char(chars[i]) {
                i += 1;
            }
            out.push(Tok::Ident(chars[start..i].iter().collect()));
        } else {
            out.push(match c {
                '+' | '-' | '*' | '/' => Tok::Op(c),
                '(' => Tok::Open,
                ')' => Tok::Close,
                ',' | ';' => Tok::Comma,
                _ => {
                    return Err(err(
                        format!("ký tự “{c}” không dùng được trong công thức"),
                        format!("the character “{c}” cannot be used in a formula"),
                    ));
                }
            });
            i += 1;
        }
    }
    Ok(out)
}

/// "12", "12.5" (formulas are written with a decimal point, like code).
fn parse_literal(s: &str) -> Option<Ratio> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() || frac.contains('.') || int.len() + frac.len() > 24 {
        return None;
    }
    let digits = format!("{int}{frac}");
    let n: i128 = digits.parse().ok()?;
    Ratio::new(n, 10i128.checked_pow(frac.len() as u32)?)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// Parses a formula; an empty one is an error.
pub fn parse(src: &str) -> Result<Expr, SyntaxError> {
    if src.chars().count() > MAX_LEN {
        return Err(err(
            format!("công thức dài quá {MAX_LEN} ký tự"),
            format!("the formula is longer than {MAX_LEN} characters"),
        ));
    }
    let toks = lex(src)?;
    if toks.is_empty() {
        return Err(err("công thức trống", "the formula is empty"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr()?;
    if p.pos < p.toks.len() {
        return Err(err(
            format!("thừa “{}” ở cuối công thức", tok_text(&p.toks[p.pos])),
            format!("unexpected “{}” at the end", tok_text(&p.toks[p.pos])),
        ));
    }
    Ok(e)
}

fn tok_text(t: &Tok) -> String {
    match t {
        Tok::Num(_, s) | Tok::Ident(s) => s.clone(),
        Tok::Op(c) => c.to_string(),
        Tok::Open => "(".into(),
        Tok::Close => ")".into(),
        Tok::Comma => ",".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                "công thức lồng nhau quá sâu",
                "the formula is nested too deeply",
            ));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let mut left = self.term()?;
        while let Some(Tok::Op(c @ ('+' | '-'))) = self.peek() {
            let op = if *c == '+' { BinOp::Add } else { BinOp::Sub };
            self.pos += 1;
            let right = self.term()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn term(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.factor()?;
        while let Some(Tok::Op(c @ ('*' | '/'))) = self.peek() {
            let op = if *c == '*' { BinOp::Mul } else { BinOp::Div };
            self.pos += 1;
            let right = self.factor()?;
            left = Expr::Bin(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn factor(&mut self) -> Result<Expr, SyntaxError> {
        self.enter()?;
        let tok = self.peek().cloned();
        self.pos += 1;
        let e = match tok {
            None => {
                return Err(err(
                    "công thức kết thúc giữa chừng",
                    "the formula ends unexpectedly",
                ));
            }
            Some(Tok::Op('-')) => Expr::Neg(Box::new(self.factor()?)),
            Some(Tok::Op('+')) => self.factor()?,
            Some(Tok::Num(v, s)) => Expr::Num(v, s),
            Some(Tok::Open) => {
                let e = self.expr()?;
                self.close()?;
                e
            }
            Some(Tok::Ident(name)) => {
                if self.peek() == Some(&Tok::Open) {
                    let func = match name.to_ascii_lowercase().as_str() {
                        "sum" | "tong" => Func::Sum,
                        "min" => Func::Min,
                        "max" => Func::Max,
                        _ => {
                            return Err(err(
                                format!("không có hàm “{name}” (dùng sum, min, max)"),
                                format!("there is no function “{name}” (use sum, min, max)"),
                            ));
                        }
                    };
                    self.pos += 1;
                    let mut args = Vec::new();
                    if self.peek() == Some(&Tok::Close) {
                        return Err(err(
                            format!("hàm “{name}” cần ít nhất một đối số"),
                            format!("“{name}” needs at least one argument"),
                        ));
                    }
                    loop {
                        args.push(self.expr()?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                    self.close()?;
                    Expr::Call(func, args)
                } else {
                    Expr::Ref(name)
                }
            }
            Some(t) => {
                return Err(err(
                    format!("không chờ “{}” ở đây", tok_text(&t)),
                    format!("unexpected “{}”", tok_text(&t)),
                ));
            }
        };
        self.depth -= 1;
        Ok(e)
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        if self.peek() == Some(&Tok::Close) {
            self.pos += 1;
            Ok(())
        } else {
            Err(err("thiếu dấu “)”", "a “)” is missing"))
        }
    }
}

/// Why evaluation gave no number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalError {
    DivByZero,
    Overflow,
}

/// The result of evaluating an expression, and how many of the fields it
/// reads were filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluated {
    pub value: Result<Ratio, EvalError>,
    pub present: usize,
    pub missing: usize,
}

impl Expr {
    /// The field keys read, in order of appearance, without repeats.
    pub fn refs(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(..) => {}
            Expr::Ref(k) => {
                if !out.contains(k) {
                    out.push(k.clone());
                }
            }
            Expr::Neg(e) => e.collect(out),
            Expr::Bin(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Expr::Call(_, args) => args.iter().for_each(|a| a.collect(out)),
        }
    }

    /// Evaluates with `get` giving each field's number; a missing field counts
    /// as 0 and is counted in `missing`, so callers decide what "missing" means.
    pub fn eval(&self, get: &dyn Fn(&str) -> Option<Ratio>) -> Evaluated {
        let mut present = 0;
        let mut missing = 0;
        let value = self.eval_in(get, &mut present, &mut missing);
        Evaluated {
            value,
            present,
            missing,
        }
    }

    fn eval_in(
        &self,
        get: &dyn Fn(&str) -> Option<Ratio>,
        present: &mut usize,
        missing: &mut usize,
    ) -> Result<Ratio, EvalError> {
        let of = |r: Option<Ratio>| r.ok_or(EvalError::Overflow);
        match self {
            Expr::Num(v, _) => Ok(*v),
            Expr::Ref(k) => Ok(match get(k) {
                Some(v) => {
                    *present += 1;
                    v
                }
                None => {
                    *missing += 1;
                    Ratio::int(0)
                }
            }),
            Expr::Neg(e) => {
                let v = e.eval_in(get, present, missing)?;
                Ok(Ratio { n: -v.n, d: v.d })
            }
            Expr::Bin(op, a, b) => {
                let a = a.eval_in(get, present, missing)?;
                let b = b.eval_in(get, present, missing)?;
                match op {
                    BinOp::Add => of(a.add(b)),
                    BinOp::Sub => of(a.sub(b)),
                    BinOp::Mul => of(a.mul(b)),
                    BinOp::Div => {
                        if b.n == 0 {
                            Err(EvalError::DivByZero)
                        } else {
                            of(a.div(b))
                        }
                    }
                }
            }
            Expr::Call(f, args) => {
                let mut acc: Option<Ratio> = None;
                for a in args {
                    let v = a.eval_in(get, present, missing)?;
                    acc = Some(match (acc, f) {
                        (None, _) => v,
                        (Some(x), Func::Sum) => of(x.add(v))?,
                        (Some(x), Func::Min) => x.min(v),
                        (Some(x), Func::Max) => x.max(v),
                    });
                }
                Ok(acc.unwrap_or(Ratio::int(0)))
            }
        }
    }

    /// The expression written for people: field keys replaced by `name(key)`
    /// (their labels), operators spaced.
    pub fn render(&self, name: &dyn Fn(&str) -> String) -> String {
        self.render_prec(name, 0)
    }

    fn render_prec(&self, name: &dyn Fn(&str) -> String, prec: u8) -> String {
        match self {
            Expr::Num(_, s) => s.replace('.', ","),
            Expr::Ref(k) => name(k),
            Expr::Neg(e) => format!("-{}", e.render_prec(name, 3)),
            Expr::Bin(op, a, b) => {
                let (p, sym) = match op {
                    BinOp::Add => (1, "+"),
                    BinOp::Sub => (1, "−"),
                    BinOp::Mul => (2, "×"),
                    BinOp::Div => (2, ":"),
                };
                let s = format!(
                    "{} {sym} {}",
                    a.render_prec(name, p),
                    b.render_prec(name, p + 1)
                );
                if p < prec { format!("({s})") } else { s }
            }
            Expr::Call(f, args) => {
                let f = match f {
                    Func::Sum => "tổng",
                    Func::Min => "min",
                    Func::Max => "max",
                };
                let args: Vec<String> = args.iter().map(|a| a.render_prec(name, 0)).collect();
                format!("{f}({})", args.join("; "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(src: &str, vars: &[(&str, i64)]) -> Result<Ratio, EvalError> {
        let e = parse(src).unwrap();
        e.eval(&|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| Ratio::int(*v))
        })
        .value
    }

    #[test]
    fn precedence_and_functions() {
        assert_eq!(ev("1 + 2 * 3", &[]), Ok(Ratio::int(7)));
        assert_eq!(ev("(1 + 2) * 3", &[]), Ok(Ratio::int(9)));
        assert_eq!(ev("10 - 2 - 3", &[]), Ok(Ratio::int(5)));
        assert_eq!(ev("-a + 5", &[("a", 2)]), Ok(Ratio::int(3)));
        assert_eq!(
            ev("sum(a, b, c) / 2", &[("a", 1), ("b", 2), ("c", 4)]),
            Ok(Ratio::new(7, 2).unwrap())
        );
        assert_eq!(ev("max(a, 3)", &[("a", 1)]), Ok(Ratio::int(3)));
        assert_eq!(ev("min(a, 3)", &[("a", 1)]), Ok(Ratio::int(1)));
        assert_eq!(ev("1.5 * 2", &[]), Ok(Ratio::int(3)));
        assert_eq!(ev("x / 0", &[("x", 1)]), Err(EvalError::DivByZero));
        assert_eq!(
            ev("m.nu + m.nam", &[("m.nu", 3), ("m.nam", 4)]),
            Ok(Ratio::int(7))
        );
    }

    #[test]
    fn exact_decimals() {
        // 0.1 + 0.2 = 0.3 exactly, which floating point gets wrong.
        let a = Ratio::scaled(1, 1);
        let b = Ratio::scaled(2, 1);
        assert_eq!(a.add(b), Some(Ratio::scaled(3, 1)));
        assert_eq!(Ratio::new(2, 3).unwrap().to_scaled(2), Some(67));
        assert_eq!(Ratio::new(-2, 3).unwrap().to_scaled(2), Some(-67));
        assert_eq!(Ratio::new(1, 2).unwrap().to_scaled(0), Some(1));
        assert_eq!(Ratio::new(-1, 2).unwrap().to_scaled(0), Some(-1));
    }

    #[test]
    fn syntax_errors() {
        for bad in ["", "1 +", "(a", "a b", "foo(1)", "a # b", "sum()", "1..2"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&deep).is_err());
        assert_eq!(
            parse("a + (b - c) * 2").unwrap().refs(),
            vec!["a".to_string(), "b".into(), "c".into()]
        );
    }

    #[test]
    fn renders_with_labels() {
        let e = parse("(a + b) * 100 / c").unwrap();
        assert_eq!(e.render(&|k| k.to_uppercase()), "(A + B) × 100 : C");
    }

    #[test]
    fn missing_counts() {
        let e = parse("a + b").unwrap();
        let r = e.eval(&|k| (k == "a").then_some(Ratio::int(2)));
        assert_eq!((r.value, r.present, r.missing), (Ok(Ratio::int(2)), 1, 1));
    }
}
