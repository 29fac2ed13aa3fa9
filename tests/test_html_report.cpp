// --report-html: a self-contained page, opened in a real browser (Debian's headless
// chromium, installed by scripts/test.sh): it loads with no console errors or network
// fetches and shows the timeline.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "cli_helpers.h"

namespace trn2::test {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(HtmlReport, OpensInHeadlessChromium) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/html_cfg.json") << R"({"kernel": {"name": "depthwise_conv1d_implicit_gemm", "channels": 8, "width": 3000, "kernel_size": 5, "dtype": "bfloat16"}})";
  const std::string page = dir + "/report.html";
  ASSERT_EQ(std::system((std::string(TRN2SIM_BINARY) + " " + dir + "/html_cfg.json --report-html " + page + " > /dev/null").c_str()), 0);
  const std::string html = slurp(page);
  // Self-contained: nothing to fetch.
  EXPECT_EQ(count(html, "http://"), count(html, "http://www.w3.org/2000/svg"));  // only the SVG namespace
  EXPECT_EQ(count(html, "https://"), 0u);
  EXPECT_EQ(count(html, "src="), 0u);

  ASSERT_EQ(std::system("test -x /usr/bin/chromium"), 0) << "Debian's chromium is needed: run scripts/test.sh, which installs it";
  const std::string dom = dir + "/dom.html", log = dir + "/chromium.log";
  const std::string cmd =
      "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --disable-quic --user-data-dir=" + dir + "/chromium-profile"
      " --enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom file://" + page + " > " + dom + " 2> " + log;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << slurp(log);
  const std::string rendered = slurp(dom);
  const std::string messages = slurp(log);
  EXPECT_NE(rendered.find("id=\"timeline\""), std::string::npos) << "the browser did not render the timeline";
  EXPECT_GT(count(rendered, "class=\"busy\""), 10u) << "the timeline shows no busy time";
  EXPECT_NE(rendered.find("PASS"), std::string::npos);
  EXPECT_EQ(count(messages, "CONSOLE"), 0u) << messages;
  EXPECT_EQ(count(messages, "Uncaught"), 0u) << messages;
}

}  // namespace
}  // namespace trn2::test
