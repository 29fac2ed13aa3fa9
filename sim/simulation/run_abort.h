#pragma once
// The first error of a run (a window too small, or what an emitter met) and how to end the
// run on it: every scoreboard is woken, and each thread waiting on one finds the run over
// and returns, the emitters by unwinding their stacks. (sc_stop would leave the threads
// suspended for good, with what their stacks own.)
#include <exception>
#include <functional>
#include <utility>
#include <vector>

namespace trn2::sim {

class RunAbort {
 public:
  void fail(std::exception_ptr error) {
    if (error_) return;  // the first one is the cause
    error_ = std::move(error);
    for (auto& wake : wake_) wake();
  }
  bool failed() const { return bool(error_); }
  std::exception_ptr error() const { return error_; }
  void on_fail(std::function<void()> wake) { wake_.push_back(std::move(wake)); }

 private:
  std::exception_ptr error_;
  std::vector<std::function<void()>> wake_;
};

// Thrown into an emitter that pushes after the run has failed, to unwind it.
struct RunAborted {};

}  // namespace trn2::sim
