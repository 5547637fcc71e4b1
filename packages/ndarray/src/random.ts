/**
 * A seedable pseudo-random generator that gives the same numbers on every platform.
 *
 * The core is xoshiro128** (Blackman and Vigna): four 32-bit words of state updated with
 * shifts, xors, rotations and `Math.imul`, so every step is exact integer arithmetic in any
 * JavaScript engine. Seeds are spread over the state with a splitmix-style mixer.
 */

const TWO_POW_32 = 4294967296;

/** One step of a splitmix32-style sequence: a well-mixed 32-bit word from a counter. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A random number generator with explicit, savable state (xoshiro128**).
 *
 * @example
 * const g = new Generator(42);
 * const saved = g.getState();
 * const a = g.nextFloat64();
 * g.setState(saved);
 * g.nextFloat64() === a; // true
 */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /**
   * Restarts the sequence from `seed` (a non-negative integer below 2^53).
   *
   * @example
   * new Generator().manualSeed(7).nextInt(10);
   */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(`manualSeed: seed must be a non-negative safe integer, got ${seed}`);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let counter = mix32(lo ^ mix32(hi + 0x632be5ab));
    const next = (): number => {
      counter = (counter + 0x9e3779b9) | 0;
      return mix32(counter);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    // The all-zero state is the one state xoshiro cannot leave.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    return this;
  }

  /**
   * The four 32-bit state words, for saving and exact resume.
   *
   * @example
   * new Generator(1).getState().length; // 4
   */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /**
   * Restores a state from `getState()`.
   *
   * @example
   * const g = new Generator(1); g.setState(new Generator(2).getState());
   */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w >= TWO_POW_32)) {
      throw new Error(`setState: expected 4 unsigned 32-bit integers from getState(), got [${state.join(',')}]`);
    }
    if (state.every((w) => w === 0)) throw new Error('setState: the all-zero state is invalid');
    [this.s0, this.s1, this.s2, this.s3] = state.map((w) => w >>> 0);
  }

  /**
   * The next 32 random bits as an unsigned integer.
   *
   * @example
   * new Generator(0).nextUint32() < 2 ** 32; // true
   */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits.
   *
   * @example
   * new Generator(0).nextFloat64();
   */
  nextFloat64(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * A uniform number in [0, 1) with 24 random bits: exactly representable in float32, so
   * storing it never rounds up to 1.
   *
   * @example
   * new Generator(0).nextFloat32();
   */
  nextFloat32(): number {
    return (this.nextUint32() >>> 8) / 16777216;
  }

  /**
   * A standard normal sample (Box-Muller; one sample per two uniforms, no cached spare, so the
   * state alone determines what comes next).
   *
   * @example
   * new Generator(0).nextNormal();
   */
  nextNormal(): number {
    const u1 = 1 - this.nextFloat64(); // (0, 1]: log is finite
    const u2 = this.nextFloat64();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /**
   * A uniform integer in [0, n) without modulo bias (rejection sampling), for 1 <= n <= 2^32.
   *
   * @example
   * new Generator(0).nextInt(6); // 0..5
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`nextInt: n must be an integer in 1..2^32, got ${n}`);
    }
    // Reject the top partial block of 2^32 so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const r = this.nextUint32();
      if (r < limit) return r % n;
    }
  }
}

let defaultGen: Generator | null = null;

/**
 * The generator used by random functions when none is passed (seed 0 until `manualSeed`).
 *
 * @example
 * defaultGenerator().nextFloat64();
 */
export function defaultGenerator(): Generator {
  defaultGen ??= new Generator(0);
  return defaultGen;
}

/**
 * Seeds the default generator; returns it.
 *
 * @example
 * import { manualSeed, rand } from '@tsgrad/ndarray';
 * manualSeed(0);
 * const a = rand([2]);
 */
export function manualSeed(seed: number): Generator {
  return defaultGenerator().manualSeed(seed);
}
