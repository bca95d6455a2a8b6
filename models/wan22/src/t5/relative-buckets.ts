/**
 * T5 bidirectional relative-position bucket for rel = key - query (official
 * T5RelativeEmbedding._relative_position_bucket with max_dist 128). The log branch runs in float32
 * exactly as torch does (float32 log, division by the float32-rounded log(max_dist / max_exact),
 * truncation), so bucket boundaries such as rel = 16, 32, 64 land where the official code puts them.
 */
export function relativeBucket(rel: number, numBuckets: number, maxDist = 128): number {
  const half = numBuckets / 2;
  let bucket = rel > 0 ? half : 0;
  const a = Math.abs(rel);
  const maxExact = half / 2;
  if (a < maxExact) return bucket + a;
  const f = Math.fround;
  const ratio = f(f(Math.log(f(a / maxExact))) / f(Math.log(maxDist / maxExact)));
  const large = maxExact + Math.trunc(f(ratio * (half - maxExact)));
  bucket += Math.min(large, half - 1);
  return bucket;
}

/** Buckets for rel = -(maxLength-1) .. maxLength-1, indexed by rel + maxLength - 1. */
export function relativeBucketTable(maxLength: number, numBuckets: number): BigInt64Array {
  const table = new BigInt64Array(2 * maxLength - 1);
  for (let i = 0; i < table.length; i++) table[i] = BigInt(relativeBucket(i - (maxLength - 1), numBuckets));
  return table;
}
