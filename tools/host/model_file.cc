#include "host/model_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace picoml::host {
std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read '" + path + "': " + std::strerror(errno));
  return bytes;
}

void WriteFileAtomically(const std::string& path, const void* data, size_t size) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write '" + temporary + "': " + std::strerror(errno));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw Error("cannot write '" + temporary + "': " + std::strerror(errno));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(temporary.c_str());
    throw Error("cannot rename '" + temporary + "' to '" + path + "': " + reason);
  }
}

ModelFile::ModelFile(const std::string& path) : path_(path) {
  const std::vector<uint8_t> bytes = ReadFile(path);
  // Models sit on 16-byte boundaries, as `picoml embed` places them.
  bytes_.Resize(bytes.size());
  if (!bytes.empty()) std::memcpy(bytes_.data(), bytes.data(), bytes.size());
  const Status status = Model::Create(bytes_.data(), bytes_.size(), &model_);
  if (!status.ok()) throw Error("'" + path + "' is not a usable model: " + status.message());
}

ArenaPlan PlanArena(const Model& model, const OpResolver& resolver, Rounding rounding) {
  InterpreterOptions options;
  options.rounding = rounding;
  // The planner needs persistent + planner bytes as working space; grow the
  // buffer until it fits (the error tells the lower bound).
  size_t work_bytes = 1 << 20;
  for (int attempt = 0; attempt < 8; ++attempt) {
    AlignedBuffer work(work_bytes);
    ArenaPlan plan;
    const Status status = Interpreter::Plan(model, resolver, work.data(), work_bytes, &plan, options);
    if (status.ok()) return plan;
    if (status.code() != StatusCode::kArenaTooSmall) throw Error(status.message());
    work_bytes = plan.needed_bytes * 2;
  }
  throw Error("could not plan the arena");
}

HostInterpreter::HostInterpreter(const Model& model, const OpResolver& resolver,
                                 Rounding rounding) {
  const ArenaPlan plan = PlanArena(model, resolver, rounding);
  arena_.Resize(plan.needed_bytes);
  InterpreterOptions options;
  options.rounding = rounding;
  const Status status =
      Interpreter::Create(model, resolver, arena_.data(), plan.needed_bytes, &interpreter_, options);
  if (!status.ok()) throw Error(status.message());
}

}  // namespace picoml::host
