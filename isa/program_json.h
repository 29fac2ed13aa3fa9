#pragma once
// Program <-> JSON, so a program can be written to a file and run later.
#include <nlohmann/json.hpp>

#include "isa/instruction.h"

namespace trn2::isa {

nlohmann::json to_json(const Program& p);
// Throws ValidationError naming the JSON path of a missing, unknown or malformed field
// ("program.cores[0][3].dst.partition_count: expected an integer, got a string"). The
// hardware limits are checked afterwards by validate().
Program program_from_json(const nlohmann::json& j);

}  // namespace trn2::isa
