//! A hand-written SVG line chart: one series over time. The same SVG is shown
//! on the page (readable at 360 px: 480 user units wide, text of 13–17 units)
//! and embedded in PDFs ([`crate::Block::Svg`]).

use std::fmt::Write as _;

use congdoan_domain::money::format_decimal;

const W: f64 = 480.0;
const H: f64 = 300.0;
const LINE: &str = "#1f5fa8";
const INK: &str = "#222";
const MUTED: &str = "#555";
const GRID: &str = "#d8d8d8";
/// Font stack: the page's UI fonts in a browser; typst falls back to the
/// document's own embedded font.
const FONT: &str = "system-ui, 'Segoe UI', Roboto, 'Noto Sans', 'Liberation Serif', sans-serif";
/// Most x labels written; the others are left out evenly.
const MAX_X_LABELS: usize = 6;

/// An SVG line chart of `points` (x label, value), with the title on top, the
/// y axis labelled `y_label` and numbered the Vietnamese way ("1.234", "12,5").
/// Values that are not finite leave a gap in the line.
pub fn svg_line_chart(title: &str, points: &[(String, f64)], y_label: &str) -> String {
    let title_lines = wrap(title, 48, 2);
    let top_text = 8.0 + 21.0 * title_lines.len() as f64;
    let plot_top = top_text + 30.0;
    let plot_bottom = H - 34.0;

    let values: Vec<f64> = points
        .iter()
        .map(|(_, v)| *v)
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = values
        .iter()
        .fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (lo, hi, step) = nice_scale(lo, hi);
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as u32
    };
    let ticks: Vec<f64> = (0..)
        .map(|i| lo + step * f64::from(i))
        .take_while(|t| *t <= hi + step / 2.0)
        .collect();
    let tick_labels: Vec<String> = ticks.iter().map(|t| format_decimal(*t, decimals)).collect();
    let widest = tick_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(1);
    let plot_left = 14.0 + 7.5 * widest as f64;
    let plot_right = W - 30.0;
    let y_of = |v: f64| plot_bottom - (v - lo) / (hi - lo) * (plot_bottom - plot_top);
    let n = points.len();
    let x_of = |i: usize| {
        if n <= 1 {
            (plot_left + plot_right) / 2.0
        } else {
            plot_left + (plot_right - plot_left) * i as f64 / (n - 1) as f64
        }
    };

    let mut s = String::with_capacity(2048 + 160 * n);
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{t}" font-family="{FONT}" class="chart"><title>{t}</title><rect width="{W}" height="{H}" fill="#fff"/>"##,
        t = esc(title)
    );
    for (i, line) in title_lines.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="8" y="{}" font-size="17" font-weight="bold" fill="{INK}">{}</text>"#,
            24.0 + 21.0 * i as f64,
            esc(line)
        );
    }
    let _ = write!(
        s,
        r#"<text x="8" y="{}" font-size="13" fill="{MUTED}">{}</text>"#,
        top_text + 16.0,
        esc(&truncate(y_label, 60))
    );

    // Grid and y axis numbers.
    for (t, label) in ticks.iter().zip(&tick_labels) {
        let y = round1(y_of(*t));
        let _ = write!(
            s,
            r#"<line x1="{plot_left}" y1="{y}" x2="{plot_right}" y2="{y}" stroke="{GRID}" stroke-width="1"/><text x="{}" y="{}" font-size="13" fill="{MUTED}" text-anchor="end">{}</text>"#,
            plot_left - 6.0,
            round1(y + 4.5),
            esc(label)
        );
    }
    let _ = write!(
        s,
        r#"<line x1="{plot_left}" y1="{plot_top}" x2="{plot_left}" y2="{plot_bottom}" stroke="{MUTED}" stroke-width="1"/>"#
    );

    if values.is_empty() {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="15" fill="{MUTED}" text-anchor="middle">Chưa có số liệu</text>"#,
            round1((plot_left + plot_right) / 2.0),
            round1((plot_top + plot_bottom) / 2.0)
        );
    }

    // The line, broken where a value is missing.
    let mut segment: Vec<String> = Vec::new();
    let flush = |segment: &mut Vec<String>, s: &mut String| {
        if segment.len() > 1 {
            let _ = write!(
                s,
                r#"<polyline points="{}" fill="none" stroke="{LINE}" stroke-width="2.5" stroke-linejoin="round"/>"#,
                segment.join(" ")
            );
        }
        segment.clear();
    };
    for (i, (_, v)) in points.iter().enumerate() {
        if v.is_finite() {
            segment.push(format!("{},{}", round1(x_of(i)), round1(y_of(*v))));
        } else {
            flush(&mut segment, &mut s);
        }
    }
    flush(&mut segment, &mut s);
    for (i, (label, v)) in points.iter().enumerate() {
        if v.is_finite() {
            let _ = write!(
                s,
                r#"<circle cx="{}" cy="{}" r="3.5" fill="{LINE}"><title>{}: {}</title></circle>"#,
                round1(x_of(i)),
                round1(y_of(*v)),
                esc(label),
                format_decimal(*v, decimals.max(value_decimals(*v)))
            );
        }
    }
    // The latest value, written above its point.
    if let Some((i, (_, v))) = points.iter().enumerate().rfind(|(_, (_, v))| v.is_finite()) {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="13" font-weight="bold" fill="{LINE}" text-anchor="{}">{}</text>"#,
            round1(x_of(i)),
            round1(y_of(*v) - 9.0),
            if n > 1 { "end" } else { "middle" },
            format_decimal(*v, decimals.max(value_decimals(*v)))
        );
    }

    // X labels: first, last and evenly between.
    for i in x_label_indices(n) {
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="13" fill="{MUTED}" text-anchor="middle">{}</text>"#,
            round1(x_of(i)),
            plot_bottom + 20.0,
            esc(&truncate(&points[i].0, 10))
        );
    }
    s.push_str("</svg>");
    s
}

/// Bounds that are multiples of a round step (1, 2 or 5 × 10ⁿ), about five ticks.
fn nice_scale(lo: f64, hi: f64) -> (f64, f64, f64) {
    let (lo, hi) = if hi <= lo { (lo, lo + 1.0) } else { (lo, hi) };
    let raw = (hi - lo) / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((lo / step).floor() * step, (hi / step).ceil() * step, step)
}

/// One decimal for values that have a fraction, so 12,5 is not shown as 13.
fn value_decimals(v: f64) -> u32 {
    u32::from((v - v.round()).abs() > 1e-9)
}

fn x_label_indices(n: usize) -> Vec<usize> {
    if n <= MAX_X_LABELS {
        return (0..n).collect();
    }
    // A regular stride reads best; the last label is added unless it would
    // crowd the one before it.
    let stride = (n - 1).div_ceil(MAX_X_LABELS - 1);
    let mut out: Vec<usize> = (0..n).step_by(stride).collect();
    let last = n - 1;
    if out.last().is_some_and(|&l| l != last) {
        if last - out[out.len() - 1] < stride.div_ceil(2) {
            out.pop();
        }
        out.push(last);
    }
    out
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Splits on spaces into at most `lines` lines of about `width` characters;
/// the last one is shortened with "…".
fn wrap(s: &str, width: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in s.split_whitespace() {
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    if !current.is_empty() || out.is_empty() {
        out.push(current);
    }
    if out.len() > lines {
        let rest = out.split_off(lines - 1).join(" ");
        out.push(rest);
    }
    out.into_iter().map(|l| truncate(&l, width)).collect()
}

/// XML text and attribute escaping.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_round() {
        assert_eq!(nice_scale(0.0, 1234.0), (0.0, 1500.0, 500.0));
        assert_eq!(nice_scale(0.0, 0.0), (0.0, 1.0, 0.5));
        assert_eq!(nice_scale(-3.0, 7.0), (-5.0, 10.0, 5.0));
    }

    #[test]
    fn x_labels_keep_first_and_last() {
        assert_eq!(x_label_indices(3), vec![0, 1, 2]);
        let shown = x_label_indices(24);
        assert_eq!(shown.first(), Some(&0));
        assert_eq!(shown.last(), Some(&23));
        assert!(shown.len() <= MAX_X_LABELS);
        assert_eq!(x_label_indices(12), vec![0, 3, 6, 9, 11]);
        assert_eq!(x_label_indices(13), vec![0, 3, 6, 9, 12]);
        assert_eq!(x_label_indices(11), vec![0, 2, 4, 6, 8, 10]);
    }

    #[test]
    fn wrap_and_escape() {
        assert_eq!(wrap("a b", 10, 2), vec!["a b"]);
        assert_eq!(wrap("", 10, 2), vec![""]);
        assert_eq!(
            wrap("aaaa bbbb cccc dddd", 9, 2),
            vec!["aaaa bbbb", "cccc dddd"]
        );
        assert_eq!(wrap("aa bb cc dd ee", 5, 2), vec!["aa bb", "cc d…"]);
        assert_eq!(esc("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
    }
}
