#include "sim/reporting/html_report.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace trn2::sim {

namespace {

std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

const char* const kTrackNames[] = {"PE", "DVE", "ACT", "POOL", "DMA"};
const char* const kTrackColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#e15759"};

std::string timeline_svg(const SimResult& sim) {
  const int tracks = 5, cores = int(sim.cores.size());
  if (sim.utilisation.size() < size_t(cores * tracks)) return "<p>(not recorded: TraceOptions::utilisation)</p>\n";
  const double bins_used = sim.utilisation_bin_ns > 0 ? std::max(1.0, sim.total_ns / sim.utilisation_bin_ns) : 1.0;
  const int label_w = 110, plot_w = 1000, row_h = 18, gap = 10;
  const int height = cores * (tracks * row_h + gap) + 30;
  std::ostringstream o;
  o << "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << label_w + plot_w + 10 << "\" height=\""
    << height << "\" role=\"img\" aria-label=\"engine timeline\">\n";
  for (int c = 0; c < cores; ++c) {
    for (int t = 0; t < tracks; ++t) {
      const int y = c * (tracks * row_h + gap) + t * row_h;
      o << "<text x=\"0\" y=\"" << y + 13 << "\" font-size=\"12\">core " << c << " " << kTrackNames[t] << "</text>\n";
      o << "<rect x=\"" << label_w << "\" y=\"" << y + 1 << "\" width=\"" << plot_w << "\" height=\"" << row_h - 2
        << "\" fill=\"#f2f2f2\"/>\n";
      const auto& u = sim.utilisation[size_t(c * tracks + t)];
      const double bin_w = plot_w / bins_used;
      for (size_t b = 0; b < u.size() && double(b) < bins_used; ++b) {
        if (u[b] <= 0.0) continue;
        o << "<rect class=\"busy\" x=\"" << fmt(label_w + double(b) * bin_w, 2) << "\" y=\"" << y + 1 << "\" width=\""
          << fmt(std::max(bin_w, 0.5), 2) << "\" height=\"" << row_h - 2 << "\" fill=\"" << kTrackColours[t]
          << "\" fill-opacity=\"" << fmt(u[b], 3) << "\"><title>" << fmt(100 * u[b], 1) << "% busy at "
          << fmt(double(b) * sim.utilisation_bin_ns / 1e3, 2) << " us</title></rect>\n";
      }
    }
  }
  const int axis_y = cores * (tracks * row_h + gap) + 15;
  for (int tick = 0; tick <= 4; ++tick)
    o << "<text x=\"" << label_w + tick * plot_w / 4 - (tick == 4 ? 60 : 0) << "\" y=\"" << axis_y
      << "\" font-size=\"11\">" << fmt(sim.total_ns / 1e3 * tick / 4, 1) << " us</text>\n";
  o << "</svg>\n";
  return o.str();
}

// Where the time went by the instructions' source (a program whose instructions name one):
// the sources that took most, so that a slow stretch of the timeline leads back to the code.
std::string source_table(const SimResult& sim) {
  constexpr size_t kRows = 30;
  if (sim.by_source.empty()) return "";
  std::ostringstream o;
  o << "<h2>Time by source line</h2>\n<p>Busy time summed over each source's instructions (a DMA's from issue to "
    << "its end)";
  if (sim.by_source.size() > kRows) o << "; the " << kRows << " of " << sim.by_source.size() << " sources that took most";
  o << ".</p>\n<table id=\"by_source\"><tr><th>source</th><th>instructions</th><th>engines</th><th>busy (us)</th></tr>\n";
  for (size_t k = 0; k < std::min(kRows, sim.by_source.size()); ++k) {
    const SourceTime& s = sim.by_source[k];
    std::string engines;
    for (int e = 0; e <= int(isa::Engine::Dma); ++e)
      if (s.engines & (1u << unsigned(e)))
        engines += (engines.empty() ? "" : ", ") + std::string(isa::engine_name(isa::Engine(e)));
    o << "<tr><td>" << escape(s.source) << "</td><td>" << s.instructions << "</td><td>" << engines << "</td><td>"
      << fmt(s.busy_ns / 1e3) << "</td></tr>\n";
  }
  o << "</table>\n";
  return o.str();
}

}  // namespace

std::string html_report(const nlohmann::json& r, const SimResult& sim) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>trn2sim report: "
    << escape(r["kernel"].get<std::string>()) << "</title>\n<style>body{font-family:sans-serif;margin:24px}"
    << "table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    << "th{background:#eee}td:first-child{text-align:left}.bar{display:inline-block;height:10px;background:#4e79a7}</style>"
    << "</head><body>\n<h1>" << escape(r["kernel"].get<std::string>()) << "</h1>\n";
  if (r.contains("shape")) {
    const auto& shape = r["shape"];
    o << "<p>input [" << shape["batch"] << ", " << shape["channels"] << ", 1, " << shape["width"] << "], kernel size "
      << shape["kernel_size"] << ", " << escape(shape["dtype"].get<std::string>()) << ", stride " << shape["stride"]
      << ", lnc " << shape["lnc"] << "</p>\n";
  } else {
    o << "<p>program of " << r["simulator"]["instructions"] << " instructions on " << r["cores"].size() << " core(s)</p>\n";
  }
  o << "<h2>Summary</h2>\n<table id=\"summary\">\n"
    << "<tr><td>total time</td><td>" << fmt(r["total_time_us"].get<double>()) << " us</td></tr>\n"
    << "<tr><td>neuroncore cycles (1.2 GHz)</td><td>" << r["neuroncore_cycle_count"] << "</td></tr>\n"
    << "<tr><td>HBM read / write</td><td>" << r["hbm_read_bytes"] << " / " << r["hbm_write_bytes"] << " B</td></tr>\n"
    << "<tr><td>HBM achieved / peak</td><td>" << fmt(r["hbm_achieved_gbps"].get<double>(), 1) << " / "
    << fmt(r["hbm_peak_gbps"].get<double>(), 1) << " GB/s</td></tr>\n"
    << "<tr><td>MFU / MBU estimated</td><td>" << fmt(r["mfu_estimated_percent"].get<double>(), 2) << "% / "
    << fmt(r["mbu_estimated_percent"].get<double>(), 2) << "%</td></tr>\n"
    << "<tr><td>roofline bound (" << r["roofline"]["limited_by"].get<std::string>() << ")</td><td>"
    << fmt(std::max(r["roofline"]["hbm_bound_us"].get<double>(), r["roofline"]["pe_bound_us"].get<double>()))
    << " us; run is " << fmt(r["roofline"]["run_over_bound"].get<double>(), 2) << "x the bound</td></tr>\n";
  if (r.contains("numerics"))
    o << "<tr><td>numerics</td><td>max abs error " << fmt(r["numerics"]["max_abs_error"].get<double>(), 6) << ", "
      << (r["numerics"]["pass"].get<bool>() ? "PASS" : "FAIL") << "</td></tr>\n";
  o << "</table>\n";
  o << "<h2>Timeline</h2>\n<p>Busy fraction of each engine over time (bins of "
    << fmt(sim.utilisation_bin_ns / 1e3, 3) << " us; DMA is the mean over the core's DMA engines).</p>\n"
    << timeline_svg(sim);
  o << "<h2>Utilisation</h2>\n<table id=\"utilisation\"><tr><th>core</th><th>engine</th><th>instructions</th>"
    << "<th>busy</th><th>waiting on pe / dve / act / pool / dma (us)</th></tr>\n";
  for (size_t c = 0; c < r["cores"].size(); ++c) {
    for (const char* e : {"pe", "dve", "act", "pool"}) {
      const auto& s = r["cores"][c]["engines"][e];
      const double busy = s["busy_percent"].get<double>();
      const auto& w = s["idle_waiting_on_us"];
      o << "<tr><td>" << c << "</td><td>" << e << "</td><td>" << s["instruction_count"] << "</td><td><span class=\"bar\" style=\"width:"
        << fmt(busy, 1) << "px\"></span> " << fmt(busy, 1) << "%</td><td>" << fmt(w["pe"].get<double>(), 1) << " / "
        << fmt(w["dve"].get<double>(), 1) << " / " << fmt(w["act"].get<double>(), 1) << " / " << fmt(w["pool"].get<double>(), 1)
        << " / " << fmt(w["dma"].get<double>(), 1) << "</td></tr>\n";
    }
    const auto& d = r["cores"][c];
    o << "<tr><td>" << c << "</td><td>dma</td><td>" << d["dma_transfer_count"] << "</td><td>"
      << fmt(d["dma_active_time_us"].get<double>(), 1) << " us active</td><td>"
      << fmt(d["dma_efficiency"]["average_bytes_per_descriptor"].get<double>(), 0) << " B per descriptor</td></tr>\n";
  }
  o << "</table>\n" << source_table(sim) << "<p>Generated by trn2sim " << TRN2SIM_VERSION << ".</p>\n</body></html>\n";
  return o.str();
}

}  // namespace trn2::sim
