//! Times the national generator: `cargo run --release -p congdoan-datagen
//! --example country_speed -- [members] [seed]` builds the tree, streams every
//! batch, and prints the times, the counts and the peak memory (Linux).

use std::time::Instant;

use congdoan_datagen::{Country, CountryOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let members = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let seed = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let t = Instant::now();
    let country = Country::generate(&CountryOptions { members, seed });
    let tree = t.elapsed();
    let t = Instant::now();
    let (mut people, mut batches, mut committees, mut posts) = (0u64, 0u64, 0u64, 0u64);
    for b in country.batches() {
        batches += 1;
        people += b.members.len() as u64;
        committees += b.committees.len() as u64;
        posts += b.positions.len() as u64;
    }
    let stream = t.elapsed();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "VmHWM: unknown".into());
    println!(
        "{} units, {} coordination links: tree in {:.2} s",
        country.units.len(),
        country.coordination.len(),
        tree.as_secs_f64()
    );
    println!(
        "{people} members in {batches} batches, {committees} committees, {posts} posts: streamed in {:.2} s",
        stream.as_secs_f64()
    );
    println!("peak memory {}", peak.trim_start_matches("VmHWM:").trim());
}
