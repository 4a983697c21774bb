//! Sequential references for the collectives, written apart from the crate:
//! element ops in wide arithmetic, and each algorithm's fold order replayed.

use mpi::{Algorithm, Datatype, Op};

use testkit::mix;

/// A type the tests can make values of and reduce independently.
pub trait Elem: Datatype {
    /// Element `i` of rank `rank`'s vector in case `seed`: about a quarter
    /// zeros (so logical ops see both truths), else spread over the type.
    fn sample(seed: u64, rank: usize, i: usize) -> Self;
    /// `a op b`, computed without the crate.
    fn reference(op: Op, a: Self, b: Self) -> Self;
}

/// Implements [`Elem`] for an integer type through 128-bit arithmetic.
macro_rules! int_elem {
    ($t:ty) => {
        impl Elem for $t {
            fn sample(seed: u64, rank: usize, i: usize) -> Self {
                let h = mix(seed ^ ((rank as u64) << 40) ^ (i as u64).wrapping_mul(0x9e37));
                if h % 4 == 0 { 0 } else { (h >> 8) as $t }
            }

            fn reference(op: Op, a: Self, b: Self) -> Self {
                let (x, y) = (a as i128, b as i128);
                let truth = |t: bool| t as i128;
                let wide = match op {
                    Op::Sum => x + y,
                    Op::Prod => x.wrapping_mul(y),
                    Op::Min => x.min(y),
                    Op::Max => x.max(y),
                    Op::Land => truth(x != 0 && y != 0),
                    Op::Lor => truth(x != 0 || y != 0),
                    Op::Lxor => truth((x != 0) ^ (y != 0)),
                    Op::Band => x & y,
                    Op::Bor => x | y,
                    Op::Bxor => x ^ y,
                };
                wide as $t
            }
        }
    };
}

int_elem!(i32);
int_elem!(i64);
int_elem!(u32);
int_elem!(u64);

/// Implements [`Elem`] for a float type: values in (-64, 64), not integers.
macro_rules! float_elem {
    ($t:ty) => {
        impl Elem for $t {
            fn sample(seed: u64, rank: usize, i: usize) -> Self {
                let h = mix(seed ^ ((rank as u64) << 40) ^ (i as u64).wrapping_mul(0x9e37));
                if h % 4 == 0 {
                    0.0
                } else {
                    ((h >> 11) as f64 / (1u64 << 53) as f64 * 128.0 - 64.0) as $t
                }
            }

            fn reference(op: Op, a: Self, b: Self) -> Self {
                let truth = |t: bool| if t { 1.0 } else { 0.0 };
                match op {
                    Op::Sum => a + b,
                    Op::Prod => a * b,
                    Op::Min => {
                        if b < a {
                            b
                        } else {
                            a
                        }
                    }
                    Op::Max => {
                        if b > a {
                            b
                        } else {
                            a
                        }
                    }
                    Op::Land => truth(a != 0.0 && b != 0.0),
                    Op::Lor => truth(a != 0.0 || b != 0.0),
                    Op::Lxor => truth((a != 0.0) != (b != 0.0)),
                    Op::Band | Op::Bor | Op::Bxor => unreachable!("bitwise op on a float"),
                }
            }
        }
    };
}

float_elem!(f32);
float_elem!(f64);

/// Rank `rank`'s `len`-element vector in case `seed`.
pub fn vector<D: Elem>(seed: u64, rank: usize, len: usize) -> Vec<D> {
    (0..len).map(|i| D::sample(seed, rank, i)).collect()
}

/// `a op b` element-wise.
fn pair<D: Elem>(op: Op, a: &[D], b: &[D]) -> Vec<D> {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| D::reference(op, x, y))
        .collect()
}

/// Bottom-up binomial combining of `v` (in the tree's own numbering):
/// at distance 1, 2, 4, … block `i` takes in block `i + d`.
fn binomial<D: Elem>(op: Op, mut v: Vec<Vec<D>>) -> Vec<D> {
    let mut d = 1;
    while d < v.len() {
        let n = v.len();
        for i in (0..n).step_by(2 * d).filter(|i| i + d < n) {
            v[i] = pair(op, &v[i], &v[i + d]);
        }
        d *= 2;
    }
    v.swap_remove(0)
}

/// Reduce's result at `root` with `algo`, all ranks' vectors given.
pub fn reduce<D: Elem>(op: Op, all: &[Vec<D>], root: usize, algo: Algorithm) -> Vec<D> {
    match algo {
        Algorithm::Linear => all[1..]
            .iter()
            .fold(all[0].clone(), |acc, x| pair(op, &acc, x)),
        Algorithm::Tree => {
            let n = all.len();
            binomial(op, (0..n).map(|k| all[(root + k) % n].clone()).collect())
        }
    }
}

/// Allreduce's result with `algo`: linear is reduce to 0; tree pairs
/// `2i, 2i+1` below `2·rem` and then combines the `p` blocks binomially.
pub fn allreduce<D: Elem>(op: Op, all: &[Vec<D>], algo: Algorithm) -> Vec<D> {
    if algo == Algorithm::Linear {
        return reduce(op, all, 0, algo);
    }
    let n = all.len();
    let p = if n.is_power_of_two() {
        n
    } else {
        n.next_power_of_two() / 2
    };
    let rem = n - p;
    let mut blocks: Vec<Vec<D>> = (0..rem)
        .map(|i| pair(op, &all[2 * i], &all[2 * i + 1]))
        .collect();
    blocks.extend(all[2 * rem..].iter().cloned());
    binomial(op, blocks)
}
