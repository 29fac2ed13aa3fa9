#include "isa/json_file.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace trn2::isa {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::invalid_argument(path + ": " + what);
}

std::string escaped(const std::string& s, bool quotes) {
  std::string out;
  for (unsigned char c : s) {
    if (quotes && (c == '\\' || c == '"')) {
      out += '\\';
      out += char(c);
    } else if (c < 0x20 || c == 0x7f) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += char(c);
    }
  }
  return out;
}
}  // namespace

std::string printable(const std::string& s) { return escaped(s, true); }
std::string one_line(const std::string& s) { return escaped(s, false); }

nlohmann::json parse_json_strict(const std::string& text, const std::string& path) {
  // The parser would take a NUL as the end of the input and ignore what follows; JSON text
  // never holds a raw NUL (inside a string it is \u0000).
  if (const size_t nul = text.find('\0'); nul != std::string::npos)
    fail(path, "not valid JSON: a NUL byte at offset " + std::to_string(nul));
  // Objects being read, innermost last, each with the keys seen so far.
  std::vector<std::set<std::string>> objects;
  int depth = 0;
  std::string problem;
  auto check = [&](int d, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (!problem.empty()) return false;
    if (event == E::object_start || event == E::array_start) {
      if (++depth > kMaxJsonDepth) {
        problem = "values nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
        return false;
      }
      if (event == E::object_start) objects.emplace_back();
    } else if (event == E::object_end || event == E::array_end) {
      --depth;
      if (event == E::object_end && !objects.empty()) objects.pop_back();
    } else if (event == E::key && !objects.empty()) {
      const std::string key = parsed.get<std::string>();
      if (!objects.back().insert(key).second) {
        problem = "key \"" + printable(key) + "\" given twice in one object";
        return false;
      }
    }
    (void)d;
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, check, true, false);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range for 1e999
    if (!problem.empty()) fail(path, problem);
    std::string m = e.what();
    if (m.find("number overflow") != std::string::npos || e.id == 406)
      fail(path, "not valid JSON: a number beyond the range of a double (" + printable(m) + ")");
    fail(path, "not valid JSON (" + printable(m) + ")");
  }
  if (!problem.empty()) fail(path, problem);
  // A callback that stops the parse leaves a discarded value: say why.
  if (j.is_discarded()) fail(path, "not valid JSON");
  return j;
}

nlohmann::json read_json_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) fail(path, "is a directory, not a " + what);
  std::ifstream f(path, std::ios::binary);
  if (!f) fail(path, "cannot open the " + what);
  std::ostringstream text;
  // Read at most one byte beyond the limit, to tell an oversized file.
  std::vector<char> buffer(1 << 16);
  size_t total = 0;
  while (f.read(buffer.data(), std::streamsize(buffer.size())) || f.gcount() > 0) {
    total += size_t(f.gcount());
    if (total > kMaxJsonFileBytes)
      fail(path, "the " + what + " is larger than " + std::to_string(kMaxJsonFileBytes) + " bytes");
    text.write(buffer.data(), f.gcount());
  }
  if (f.bad()) fail(path, "cannot read the " + what);
  return parse_json_strict(text.str(), path);
}

}  // namespace trn2::isa
