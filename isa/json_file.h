#pragma once
// Reading a JSON file strictly, for every file the user hands trn2sim (configs, programs,
// hardware files): one line naming the file and the problem for a directory, an unreadable
// or oversized file, a syntax error, a number beyond double's range, bytes after the value
// (a NUL included), a key given twice in one object (JSON lets the last silently win), or
// nesting deeper than kMaxJsonDepth (no config needs more; deeper values crashed the
// messages that print a value back).
#include <string>

#include <nlohmann/json.hpp>

namespace trn2::isa {

constexpr int kMaxJsonDepth = 64;
constexpr size_t kMaxJsonFileBytes = size_t(1) << 30;  // 1 GiB: far beyond any program's

// Throws std::invalid_argument "<path>: <problem>"; `what` names the file's role ("config
// file", "program file", ...) for the messages that need it.
nlohmann::json read_json_file(const std::string& path, const std::string& what);
// The same for text already read (tests, fuzzers); `path` only names it in messages.
nlohmann::json parse_json_strict(const std::string& text, const std::string& path);

// `s` with control characters (and backslash and quote) escaped as JSON escapes them, for
// messages that print a user's key or value: a newline in a key cannot fake a log line.
std::string printable(const std::string& s);
// `s` with only its control characters escaped (\uXXXX): a whole message on one line.
std::string one_line(const std::string& s);

}  // namespace trn2::isa
