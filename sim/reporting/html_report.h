#pragma once
// One self-contained HTML page (no network fetches) for a run: the summary, a timeline
// picture (SVG) of every engine's and the DMA engines' busy time, utilisation per engine,
// the roofline ratio and, for a program whose instructions name their source, the time by
// source line.
#include <string>

#include <nlohmann/json.hpp>

#include "sim/simulation/simulation.h"

namespace trn2::sim {

std::string html_report(const nlohmann::json& report, const SimResult& sim);

}  // namespace trn2::sim
