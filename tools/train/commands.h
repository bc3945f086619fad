// picoml-train: the commands that need LibTorch. `picoml train ...` and
// `picoml quantize ...` exec this program with the same arguments.
#ifndef PICOML_TOOLS_TRAIN_COMMANDS_H_
#define PICOML_TOOLS_TRAIN_COMMANDS_H_

#include <CLI/CLI.hpp>

namespace picoml::train {

void AddTrainCommand(CLI::App& app);     // train_command.cc
void AddQuantizeCommand(CLI::App& app);  // quantize_command.cc

}  // namespace picoml::train

#endif  // PICOML_TOOLS_TRAIN_COMMANDS_H_
