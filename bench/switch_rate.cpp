// trn2sim_switch_rate: the ceiling SystemC sets on this host. Two SC_THREADs hand control
// to each other through events, as the model's engines, DMA queues and arbiter do, and the
// program prints how many thread switches per host second that makes, with delta
// notifications (the model's dependency wake-ups) or timed ones (the DMA arbiter's wait for
// a transfer's start). The model spends about 1.5 switches per simulated
// instruction, so this bounds what any per-instruction work can leave (docs/performance.md).
//
//   trn2sim_switch_rate [delta|timed] [ROUND_TRIPS]   (default delta, 2,000,000 round trips)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <systemc>

namespace {

// SystemC prints its banner from main() unless this is set before main() runs.
const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

class PingPong : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PingPong);
  PingPong(sc_core::sc_module_name name, long round_trips, bool timed)
      : sc_module(name), round_trips_(round_trips), delay_(timed ? sc_core::sc_time(1, sc_core::SC_NS)
                                                                 : sc_core::SC_ZERO_TIME) {
    SC_THREAD(ping);
    SC_THREAD(pong);
  }
  long done() const { return done_; }

 private:
  void ping() {
    while (done_ < round_trips_) {
      to_pong_.notify(delay_);
      sc_core::wait(to_ping_);
      ++done_;
    }
    sc_core::sc_stop();
  }
  void pong() {
    for (;;) {
      sc_core::wait(to_pong_);
      to_ping_.notify(delay_);
    }
  }

  long round_trips_, done_ = 0;
  sc_core::sc_time delay_;
  sc_core::sc_event to_ping_, to_pong_;
};

}  // namespace

int sc_main(int argc, char** argv) {
  (void)kQuietSystemC;
  const bool timed = argc > 1 && std::string(argv[1]) == "timed";
  const long round_trips = argc > 2 ? std::atol(argv[2]) : 2000000;
  if ((argc > 1 && !timed && std::string(argv[1]) != "delta") || round_trips <= 0) {
    std::fprintf(stderr, "usage: trn2sim_switch_rate [delta|timed] [ROUND_TRIPS > 0]\n");
    return 2;
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // no sc_stop notice
  PingPong pair("pair", round_trips, timed);
  const auto t0 = std::chrono::steady_clock::now();
  sc_core::sc_start();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s notifications: %ld switches in %.3f s: %.2f M switches per host second\n", timed ? "timed" : "delta",
              2 * pair.done(), s, 2.0 * double(pair.done()) / s / 1e6);
  return 0;
}
