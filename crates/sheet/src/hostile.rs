//! Hostile files, generated on the fly: the bombs an uploader could send (a giant
//! inline string, a shared-strings bomb, a line of a million commas, rows as wide as
//! Excel allows). The tests make them small; `congdoan bench` makes them at full size
//! and measures the peak memory of reading each in a fresh process. Every part is
//! streamed through the compressor, so a 1 GB cell never exists in memory here either.

use std::io::{self, Read, Write};
use std::path::Path;

/// Writes a small real workbook, then streams `part` (e.g. `xl/worksheets/sheet1.xml`
/// or `xl/sharedStrings.xml`) from `write` in place of its own.
pub fn xlsx_with_part(
    path: &Path,
    part: &str,
    write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    xlsx_with_parts(path, &mut [(part, write)])
}

/// A part's name and what writes it.
pub type PartWriter<'a> = (&'a str, &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>);

/// [`xlsx_with_part`] for several parts at once.
pub fn xlsx_with_parts(path: &Path, parts: &mut [PartWriter<'_>]) -> io::Result<()> {
    let plain = path.with_extension("plain.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    let header = |e: rust_xlsxwriter::XlsxError| io::Error::other(e.to_string());
    ws.write(0, 0, "Họ và tên").map_err(header)?;
    ws.write(0, 1, "Ngày sinh").map_err(header)?;
    book.save(&plain).map_err(header)?;
    let mut src = zip::ZipArchive::new(std::fs::File::open(&plain)?).map_err(io::Error::other)?;
    let mut out = zip::ZipWriter::new(io::BufWriter::new(std::fs::File::create(path)?));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for i in 0..src.len() {
        let mut e = src.by_index(i).map_err(io::Error::other)?;
        let name = e.name().map_err(io::Error::other)?.to_string();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes)?;
        out.start_file(name.as_str(), opts)
            .map_err(io::Error::other)?;
        if let Some((_, write)) = parts.iter_mut().find(|(p, _)| *p == name) {
            write(&mut out)?;
        } else {
            out.write_all(&bytes)?;
        }
    }
    out.finish().map_err(io::Error::other)?.flush()?;
    std::fs::remove_file(&plain)?;
    Ok(())
}

/// A worksheet around `rows`.
pub fn sheet_xml(rows: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>"#
    )
}

/// Writes `unit` `count` times, a megabyte at a time.
fn repeat(w: &mut dyn Write, unit: &[u8], count: u64) -> io::Result<()> {
    let per_chunk = (1 << 20) / unit.len().max(1);
    let chunk = unit.repeat(per_chunk);
    let mut left = count;
    while left > 0 {
        let n = left.min(per_chunk as u64);
        w.write_all(&chunk[..n as usize * unit.len()])?;
        left -= n;
    }
    Ok(())
}

/// An xlsx whose first cell is one inline string of `chars` characters (1.1 billion
/// make a 1.1 MB file).
pub fn inline_string_bomb(path: &Path, chars: u64) -> io::Result<()> {
    let xml = sheet_xml("\u{0}");
    let (head, tail) = xml.split_once('\u{0}').expect("marker");
    xlsx_with_part(path, "xl/worksheets/sheet1.xml", &mut |w| {
        w.write_all(head.as_bytes())?;
        w.write_all(br#"<row r="1"><c r="A1" t="inlineStr"><is><t>"#)?;
        repeat(w, b"a", chars)?;
        w.write_all(b"</t></is></c></row>")?;
        w.write_all(tail.as_bytes())
    })
}

/// An xlsx whose shared-strings part holds `strings` one-letter strings.
pub fn shared_strings_bomb(path: &Path, strings: u64) -> io::Result<()> {
    xlsx_with_part(path, "xl/sharedStrings.xml", &mut |w| {
        write!(
            w,
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{strings}" uniqueCount="{strings}">"#
        )?;
        repeat(w, b"<si><t>a</t></si>", strings)?;
        w.write_all(b"</sst>")
    })
}

/// A CSV with a header and one line of `a,` repeated `times` times (15 million make
/// 30 MB).
pub fn comma_line_csv(path: &Path, times: u64) -> io::Result<()> {
    let mut f = io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all("Họ và tên,Ngày sinh\n".as_bytes())?;
    repeat(&mut f, b"a,", times)?;
    f.write_all(b"\n")?;
    f.flush()
}

/// An xlsx of `rows` rows, each with a number in every one of `columns` columns
/// (Excel's maximum is 16,384).
pub fn wide_rows(path: &Path, columns: u32, rows: u32) -> io::Result<()> {
    let xml = sheet_xml("\u{0}");
    let (head, tail) = xml.split_once('\u{0}').expect("marker");
    xlsx_with_part(path, "xl/worksheets/sheet1.xml", &mut |w| {
        let mut w = io::BufWriter::new(w);
        w.write_all(head.as_bytes())?;
        for r in 1..=rows {
            write!(w, r#"<row r="{r}">"#)?;
            for c in 0..columns {
                write!(
                    w,
                    r#"<c r="{}{r}"><v>1</v></c>"#,
                    crate::column_letter(c as usize)
                )?;
            }
            w.write_all(b"</row>")?;
        }
        w.write_all(tail.as_bytes())?;
        w.flush()
    })
}

/// An xlsx of `rows` rows of `columns` cells that all show the one shared string of
/// `chars` characters: 230 rows of 1,000 cells of 32,767 make a 631 KB file whose
/// cells hold 7.5 GB of text once resolved.
pub fn shared_string_fanout(path: &Path, rows: u32, columns: u32, chars: u64) -> io::Result<()> {
    let xml = sheet_xml("\u{0}");
    let (head, tail) = xml.split_once('\u{0}').expect("marker");
    xlsx_with_parts(
        path,
        &mut [
            ("xl/sharedStrings.xml", &mut |w: &mut dyn Write| {
                w.write_all(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#)?;
                repeat(w, b"a", chars)?;
                w.write_all(b"</t></si></sst>")
            }),
            ("xl/worksheets/sheet1.xml", &mut |w: &mut dyn Write| {
                let mut w = io::BufWriter::new(w);
                w.write_all(head.as_bytes())?;
                for r in 1..=rows {
                    write!(w, r#"<row r="{r}">"#)?;
                    for c in 0..columns {
                        write!(
                            w,
                            r#"<c r="{}{r}" t="s"><v>0</v></c>"#,
                            crate::column_letter(c as usize)
                        )?;
                    }
                    w.write_all(b"</row>")?;
                }
                w.write_all(tail.as_bytes())?;
                w.flush()
            }),
        ],
    )
}
