//! The certificates phase of `congdoan bench` (issue 15): a batch of 1,000
//! certificates typeset as one PDF in a fresh process (`congdoan
//! bench-certificates`), whose wall time and peak RSS are reported. Targets:
//! under 10 s on 2 cores, under 300 MB.

use std::time::Instant;

use anyhow::Context;

/// The batch size of the target.
pub const BATCH: usize = 1_000;

/// Typesets `n` synthetic certificates (Vietnamese names, a QR code each) and
/// returns the seconds taken and the PDF's size in bytes.
pub async fn render_batch(n: usize) -> anyhow::Result<(f64, usize)> {
    let family = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng"];
    let given = [
        "Thị Thu Hường",
        "Văn Đức",
        "Ngọc Ánh",
        "Quốc Bảo",
        "Thị Mỹ Duyên",
    ];
    let certs: Vec<_> = (0..n)
        .map(|i| {
            let code = congdoan_store::new_certificate_code();
            congdoan_web::printed(
                &congdoan_store::Certificate {
                    certificate_id: i as i64 + 1,
                    code,
                    kind: "giay_khen".into(),
                    title: "Đoàn viên công đoàn xuất sắc năm 2025".into(),
                    recipient_name: format!("{} {}", family[i % family.len()], given[i % given.len()]),
                    recipient_unit_name: Some(format!("Tổ công đoàn số {}", i % 40 + 1)),
                    reason: "Đã có thành tích xuất sắc trong phong trào thi đua \"Lao động giỏi, lao động sáng tạo\" năm 2025.".into(),
                    decision_number: "12/QĐ-CĐCS".into(),
                    decision_date: time::macros::date!(2025 - 12 - 15),
                    issuer_unit_id: 1,
                    issuer_name: "Công đoàn cơ sở Công ty TNHH Giày da Mỹ Phong".into(),
                    issuer_parent_name: Some("Liên đoàn Lao động tỉnh An Giang".into()),
                    place: "An Giang".into(),
                    signer_position: "Chủ tịch".into(),
                    signer_name: "Trần Văn Đức".into(),
                    member_id: None,
                    unit_id: None,
                    reward_item_id: None,
                    issued_at: time::OffsetDateTime::now_utc(),
                    issued_by: "bench".into(),
                    revoked_at: None,
                    revoked_reason: None,
                },
                "https://congdoan.example.vn",
            )
        })
        .collect();
    let t = Instant::now();
    let pdf = congdoan_web::certificates_pdf(certs)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.body().message))?;
    Ok((t.elapsed().as_secs_f64(), pdf.len()))
}

/// Runs the batch in a child process and reports its time and peak RSS.
pub fn phase(line: &mut impl FnMut(String)) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("the benchmark's own executable")?;
    let t = Instant::now();
    let out = std::process::Command::new(&exe)
        .arg("bench-certificates")
        .arg(BATCH.to_string())
        .output()
        .context("rendering certificates in a child process")?;
    let wall = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        out.status.success(),
        "certificates: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let f: Vec<&str> = text.trim().split('\t').collect();
    let (secs, rss, bytes) = (
        f.first().copied().unwrap_or("?"),
        f.get(1).copied().unwrap_or("?"),
        f.get(2).copied().unwrap_or("?"),
    );
    line(format!(
        "Certificates: a batch of {BATCH} (one landscape A4 page each, QR code) typeset in **{secs} s** \
         (process {wall:.1} s with start-up), peak RSS **{rss} MiB**, PDF {bytes} bytes (targets: < 10 s, < 300 MB)."
    ));
    Ok(())
}
