/**
 * The geometry of the convolution and pooling kernels: plain integers, worked out by `conv.ts`
 * and `pool.ts` and handed to every backend.
 */

/**
 * The geometry of a 2-d convolution, NCHW: input `[n, c, h, w]`, weight `[o, c / groups, kh, kw]`,
 * output `[n, o, oh, ow]`. `oh`/`ow` are computed by the caller with PyTorch's formula
 * `floor((h + 2*padH - dilationH*(kh-1) - 1) / strideH) + 1`.
 */
export interface Conv2dGeometry {
  n: number; c: number; h: number; w: number;
  o: number; kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  groups: number;
  oh: number; ow: number;
}

/**
 * The geometry of a 2-d pooling, NCHW: input `[n, c, h, w]`, output `[n, c, oh, ow]`.
 * `oh`/`ow` come from the caller (PyTorch's `pooling_output_shape`, with or without ceil mode).
 */
export interface Pool2dGeometry {
  n: number; c: number; h: number; w: number;
  kh: number; kw: number;
  strideH: number; strideW: number;
  padH: number; padW: number;
  dilationH: number; dilationW: number;
  oh: number; ow: number;
}
