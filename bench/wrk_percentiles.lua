-- wrk -s bench/wrk_percentiles.lua: after the run, print one line with the latency percentiles
-- wrk's --latency table leaves out (p95 above all), in milliseconds.
--   PCTL p50=12.3 p90=20.1 p95=25.0 p99=40.2 max=80.5 requests=1234
function done(summary, latency, requests)
  local function ms(p) return latency:percentile(p) / 1000 end
  io.write(string.format("PCTL p50=%.1f p90=%.1f p95=%.1f p99=%.1f max=%.1f requests=%d\n",
    ms(50), ms(90), ms(95), ms(99), latency.max / 1000, summary.requests))
end
