//! A tiny deterministic PRNG (SplitMix64). The demo must be byte-identical on
//! every machine and every run, so no OS entropy and no floating point.

/// SplitMix64 (Steele, Lea & Flood 2014): one 64-bit state word, passes
/// BigCrush, and is trivially seedable from a hash.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded directly (the national generator mixes the user's
    /// seed with a stream number).
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator whose stream depends only on `label`: each unit gets its
    /// own, so editing one table row does not reshuffle the rest.
    pub(crate) fn for_label(label: &str) -> Rng {
        Rng(fnv1a(label.as_bytes()) ^ 0x6364_6f61_6e5f_7631) // "cdoan_v1"
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.0)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the tiny bias is
    /// irrelevant here). `n` must be positive.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform index into a slice of length `n`.
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `permille`/1000.
    pub(crate) fn chance(&mut self, permille: u32) -> bool {
        self.below(1000) < u64::from(permille)
    }

    pub(crate) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.index(xs.len())]
    }

    /// Picks from `(item, weight)` pairs with probability proportional to weight.
    pub(crate) fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u64 = xs.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (x, w) in xs {
            let w = u64::from(*w);
            if r < w {
                return x;
            }
            r -= w;
        }
        &xs[xs.len() - 1].0
    }

    pub(crate) fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            let j = self.index(i + 1);
            xs.swap(i, j);
        }
    }
}

/// SplitMix64's output function: a fast bijective scrambling of 64 bits.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A keyed pseudo-random permutation of `0..n` (`n` ≤ `side`²): a
/// four-round Feistel network on `side` × `side`, cycle-walked back into
/// `0..n`. Walking a counter through it hands out distinct numbers that do
/// not look sequential, without remembering the ones already used.
pub(crate) fn permute(x: u64, n: u64, side: u64, key: u64) -> u64 {
    debug_assert!(x < n && n <= side * side);
    let mut y = x;
    loop {
        let (mut l, mut r) = (y / side, y % side);
        for round in 0..4u64 {
            let f = mix64(r ^ key ^ (round << 56)) % side;
            (l, r) = (r, (l + f) % side);
        }
        y = l * side + r;
        if y < n {
            return y;
        }
    }
}

/// FNV-1a, 64-bit: a stable hash for seeding (std's hasher is not stable
/// across releases).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_reference_values() {
        // Reference outputs of SplitMix64 seeded with 1234567.
        let mut r = Rng::new(1_234_567);
        assert_eq!(r.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(r.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn below_and_range_stay_in_bounds() {
        let mut r = Rng::new(7);
        for n in 1..200u64 {
            assert!(r.below(n) < n);
        }
        for _ in 0..1000 {
            let v = r.range(-3, 3);
            assert!((-3..=3).contains(&v));
        }
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut r = Rng::new(9);
        let xs = [("a", 0), ("b", 5), ("c", 0)];
        for _ in 0..100 {
            assert_eq!(*r.weighted(&xs), "b");
        }
    }

    #[test]
    fn permute_is_a_bijection() {
        for (n, side) in [(1_000_000, 1_000), (9_990, 100), (7, 3)] {
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = permute(x, n, side, 42);
                assert!(y < n && !seen[y as usize], "{x} -> {y}");
                seen[y as usize] = true;
            }
        }
        // Neighbours land far apart.
        assert!(permute(1, 1_000_000, 1_000, 7).abs_diff(permute(2, 1_000_000, 1_000, 7)) > 1_000);
    }

    #[test]
    fn shuffle_is_a_permutation() {
        let mut r = Rng::new(11);
        let mut v: Vec<u32> = (0..50).collect();
        r.shuffle(&mut v);
        let mut s = v.clone();
        s.sort_unstable();
        assert_eq!(s, (0..50).collect::<Vec<_>>());
        assert_ne!(v, s, "50 elements virtually never stay in order");
    }
}
