//! A small, fully specified random number generator, so that the same seed gives the
//! same data on every machine and with every dependency version.
//!
//! Xoshiro256++ seeded through SplitMix64 (Blackman and Vigna, <https://prng.di.unimi.it/>).
//! General-purpose crates are free to change their sampling algorithms between releases,
//! which would silently change generated data; these few lines cannot.

/// A deterministic random stream.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A stream for `seed` and a `stream` key (e.g. a beneficiary's number), so every
    /// beneficiary's data is independent of generation order and parallelism.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut sm = seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut next = || {
            sm = sm.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = sm;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = (self.s[0].wrapping_add(self.s[3]))
            .rotate_left(23)
            .wrapping_add(self.s[0]);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n > 0`), without modulo bias worth measuring (Lemire).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of `items`, uniformly.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A standard normal deviate (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A Poisson count with mean `lambda` (Knuth for small means, a rounded normal
    /// approximation above 30, where it is indistinguishable for our purposes).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let x = lambda + lambda.sqrt() * self.normal();
            return x.round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut product = self.unit();
        let mut count = 0;
        while product > limit {
            product *= self.unit();
            count += 1;
        }
        count
    }

    /// A positive multiplier with mean 1 and the given coefficient of variation
    /// (log-normal): how much more or less care one person uses than the average.
    pub fn frailty(&mut self, cv: f64) -> f64 {
        let sigma2 = (1.0 + cv * cv).ln();
        (self.normal() * sigma2.sqrt() - sigma2 / 2.0).exp()
    }
}

/// Items with weights, sampled in proportion to them.
#[derive(Debug, Clone)]
pub struct Weighted<T> {
    items: Vec<T>,
    cumulative: Vec<u64>,
}

impl<T> Weighted<T> {
    /// `items` with their weights; zero-weight items are never chosen.
    pub fn new(pairs: impl IntoIterator<Item = (T, u32)>) -> Weighted<T> {
        let mut items = Vec::new();
        let mut cumulative = Vec::new();
        let mut total = 0u64;
        for (item, weight) in pairs {
            total += u64::from(weight);
            items.push(item);
            cumulative.push(total);
        }
        assert!(total > 0, "a weighted table needs a positive total weight");
        Weighted { items, cumulative }
    }

    /// One item, chosen in proportion to its weight.
    pub fn sample(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().unwrap_or(&1);
        let target = rng.below(total);
        let index = self.cumulative.partition_point(|&c| c <= target);
        &self.items[index]
    }

    pub fn items(&self) -> &[T] {
        &self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_and_stream_give_the_same_numbers() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, 7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, 7);
                move |_| r.next_u64()
            })
            .collect();
        let c: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(42, 8);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn poisson_and_frailty_have_the_requested_means() {
        let mut rng = Rng::new(1, 1);
        let n = 200_000;
        for lambda in [0.3, 4.0, 48.0] {
            let mean = (0..n).map(|_| f64::from(rng.poisson(lambda))).sum::<f64>() / n as f64;
            assert!(
                (mean - lambda).abs() / lambda < 0.02,
                "poisson({lambda}) mean {mean}"
            );
        }
        let mean = (0..n).map(|_| rng.frailty(1.0)).sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.02, "frailty mean {mean}");
    }

    #[test]
    fn weighted_sampling_follows_the_weights() {
        let table = Weighted::new([("a", 1), ("b", 3), ("never", 0)]);
        let mut rng = Rng::new(3, 3);
        let n = 100_000;
        let b = (0..n).filter(|_| *table.sample(&mut rng) == "b").count();
        assert!((b as f64 / n as f64 - 0.75).abs() < 0.01);
    }
}
