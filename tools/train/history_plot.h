// history.png: the training curves (loss and accuracy, training and
// validation, per epoch) drawn into an RGB buffer and written with libpng.
#ifndef PICOML_TOOLS_TRAIN_HISTORY_PLOT_H_
#define PICOML_TOOLS_TRAIN_HISTORY_PLOT_H_

#include <string>
#include <vector>

#include "train/trainer.h"

namespace picoml::train {

// Writes to a temporary file and renames it; throws on failure.
void WriteHistoryPng(const std::vector<EpochRecord>& history, const std::string& path);

}  // namespace picoml::train

#endif  // PICOML_TOOLS_TRAIN_HISTORY_PLOT_H_
