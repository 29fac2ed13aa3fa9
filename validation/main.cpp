// trn2sim_validate: the validation set of public trn2 kernels against their measurements.
//   trn2sim_validate CASE            simulate one case, print its result as one JSON line
//   trn2sim_validate --list          the cases' names
//   trn2sim_validate --all [FILE]    every case, each in a child process (a SystemC model
//                                    elaborates once per process); the table on stdout, or
//                                    written between FILE's <!-- validation-table --> markers
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <systemc>

#include "validation/validation.h"

namespace {

using trn2::validation::Result;

// Runs `self CASE` and reads its JSON line.
Result run_child(const std::string& self, const std::string& name) {
  const std::string command = "'" + self + "' '" + name + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  if (pclose(pipe) != 0) throw std::runtime_error(name + ": the case failed: " + out);
  const nlohmann::json j = nlohmann::json::parse(out);
  Result r;
  r.simulated = j.at("simulated").get<double>();
  r.body_us = j.at("body_us").get<double>();
  r.error_percent = j.at("error_percent").get<double>();
  r.instructions = j.at("instructions").get<int64_t>();
  return r;
}

void write_between_markers(const std::string& path, const std::string& table) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str(), begin = "<!-- validation-table -->", end = "<!-- /validation-table -->";
  const size_t b = s.find(begin), e = s.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b)
    throw std::runtime_error(path + ": no <!-- validation-table --> ... <!-- /validation-table --> markers");
  std::ofstream out(path);
  out << s.substr(0, b + begin.size()) << "\n" << table << s.substr(e);
  out.close();  // its flush fails on a full disk too
  if (!out) throw std::runtime_error(path + ": cannot write");
}

}  // namespace

int sc_main(int argc, char* argv[]) {  // SystemC's main() calls it
  try {
    const trn2::validation::Set set = trn2::validation::load(trn2::validation::default_path());
    const std::string arg = argc > 1 ? argv[1] : "--help";
    if (arg == "--list") {
      for (const auto& c : set.cases) std::cout << c.name << "\n";
      return 0;
    }
    if (arg == "--all") {
      std::vector<Result> results;
      for (const auto& c : set.cases) {
        results.push_back(run_child(argv[0], c.name));
        std::cerr << c.name << ": " << results.back().simulated << " (" << results.back().error_percent << "%)\n";
      }
      const std::string table = trn2::validation::markdown(set, results);
      if (argc > 2) write_between_markers(argv[2], table);
      else std::cout << table;
      return 0;
    }
    for (const auto& c : set.cases)
      if (c.name == arg) {
        const Result r = trn2::validation::run(set, c);
        std::cout << nlohmann::json{{"case", c.name},
                                    {"simulated", r.simulated},
                                    {"body_us", r.body_us},
                                    {"error_percent", r.error_percent},
                                    {"instructions", r.instructions}}
                  << "\n";
        return 0;
      }
    std::cerr << "usage: trn2sim_validate CASE | --list | --all [FILE]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "trn2sim_validate: error: " << e.what() << "\n";
    return 2;
  }
}
