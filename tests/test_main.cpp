// SystemC's main() calls sc_main; here it runs the GoogleTest suite. CTest runs each test case
// in its own process, because a SystemC model can be elaborated only once per process.
#include <gtest/gtest.h>

#include <cstdlib>
#include <systemc>

// SystemC prints its banner from main() unless this is set; set it before main() runs so that
// stdout holds only what trn2sim says.
static const int kQuietSystemC = setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);

int sc_main(int argc, char* argv[]) {
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
