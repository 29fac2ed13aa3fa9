#pragma once
// The timing part of a run's report, shared by kernel runs and program runs: per core and
// engine busy/idle time and waits, DMA efficiency, HBM traffic and bandwidth, the roofline
// bound and the simulator's own speed. Names mirror the vendor profiler's summary where one
// exists.
#include <nlohmann/json.hpp>

#include "isa/instruction.h"
#include "sim/configuration/hardware_config.h"
#include "sim/simulation/simulation.h"

namespace trn2::sim {

// `pe_macs`: the MACs the run's matmuls must do, counted at the bf16 rate (an fp32 MAC
// counts matmul_fp32_slowdown times, an fp8 x fp8 MAC 1 / matmul_fp8_double_row_speedup
// times: fp8's peak is reached only in double_row mode), over the PE arrays of all the cores
// used.
// `host_seconds`: the whole run on the host (loading, checks, model, outputs); the model's
// own share is s.host_seconds.
nlohmann::json timing_report(const SimResult& s, const HardwareConfig& hw, double pe_macs, double host_seconds);

// The process's peak resident set so far (getrusage), in bytes.
int64_t peak_rss_bytes();

// Every matmul's K x M x N, weighted like timing_report's pe_macs.
double program_pe_macs(const isa::Program& p, const HardwareConfig& hw);

}  // namespace trn2::sim
