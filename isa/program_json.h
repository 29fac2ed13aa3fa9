#pragma once
// Program <-> JSON, so a program can be written to a file and run later.
#include <nlohmann/json.hpp>

#include "isa/instruction.h"

namespace trn2::isa {

nlohmann::json to_json(const Program& p);
// Throws std::runtime_error naming the JSON path of a missing or malformed field.
Program program_from_json(const nlohmann::json& j);

}  // namespace trn2::isa
