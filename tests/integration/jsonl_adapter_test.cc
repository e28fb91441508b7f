// makegood-adapter-jsonl against the real makegoodd: publishing an export,
// resuming after the last acknowledged line, following a growing file.

#include <fstream>

#include "daemon_fixture.h"

namespace makegood {
namespace {

class JsonlAdapterTest : public DaemonTest {
 protected:
  // The dinner fixture's lines.
  static std::vector<std::string> DinnerLines() {
    std::ifstream in(MAKEGOOD_DINNER_EVENTS);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
    return lines;
  }

  void WriteLines(const std::vector<std::string>& lines, size_t from, size_t to,
                  bool append) {
    std::ofstream out(export_path_, append ? std::ios::app : std::ios::trunc);
    for (size_t i = from; i < to; ++i) out << lines[i] << "\n";
  }

  std::vector<std::string> AdapterArgs(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {MAKEGOOD_ADAPTER_JSONL_BIN,
                                     "--server",
                                     daemon_->address(),
                                     "--file",
                                     export_path_,
                                     "--state",
                                     state_path_};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  CommandResult RunAdapter(const std::vector<std::string>& extra = {}) {
    return RunCommand(AdapterArgs(extra),
                      {absl::StrCat("MAKEGOOD_TOKEN=", kAdapterToken)});
  }

  nlohmann::json State() {
    return nlohmann::json::parse(testing::ReadFileOrEmpty(state_path_));
  }

  const std::string export_path_ = dir_.File("export.jsonl");
  const std::string state_path_ = dir_.File("export.state");
};

TEST_F(JsonlAdapterTest, PublishesTheFileAndResumesAfterTheLastLine) {
  const std::vector<std::string> lines = DinnerLines();
  ASSERT_GT(lines.size(), 10u);
  const size_t half = lines.size() / 2;
  WriteLines(lines, 0, half, /*append=*/false);

  CommandResult first = RunAdapter({"--batch", "4"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.err, HasSubstr(absl::StrCat(half, " accepted")));
  EXPECT_EQ(StoredEvents(), static_cast<int64_t>(half));
  EXPECT_EQ(State()["line"], half);

  // The export grows; a restart sends only the new lines, none twice.
  WriteLines(lines, half, lines.size(), /*append=*/true);
  CommandResult second = RunAdapter();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr(absl::StrCat("resuming ", export_path_,
                                                 " after line ", half)));
  EXPECT_THAT(second.err, HasSubstr(absl::StrCat(lines.size() - half,
                                                 " accepted, 0 duplicates")));
  EXPECT_EQ(StoredEvents(), static_cast<int64_t>(lines.size()));

  CommandResult third = RunAdapter();
  ASSERT_EQ(third.exit_code, 0) << third.err;
  EXPECT_THAT(third.err, HasSubstr("0 accepted, 0 duplicates"));
}

TEST_F(JsonlAdapterTest, StopsAtAMalformedLineAfterPublishingTheLinesBefore) {
  std::vector<std::string> lines = DinnerLines();
  lines[5] = R"({"event_id":"broken","check_opened":{"table":12})";
  WriteLines(lines, 0, lines.size(), /*append=*/false);

  CommandResult run = RunAdapter({"--batch", "100"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err,
              HasSubstr(absl::StrCat(export_path_, ":6: not an OrderEvent")));
  EXPECT_EQ(StoredEvents(), 5);
  EXPECT_EQ(State()["line"], 5);

  // Fixed in place, the export continues from the broken line.
  lines[5] = DinnerLines()[5];
  WriteLines(lines, 0, lines.size(), /*append=*/false);
  CommandResult fixed = RunAdapter();
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_EQ(StoredEvents(), static_cast<int64_t>(lines.size()));
}

TEST_F(JsonlAdapterTest, NamesTheLineOfAnEventTheServerRejects) {
  std::vector<std::string> lines = DinnerLines();
  WriteLines(lines, 0, 3, /*append=*/false);
  std::ofstream(export_path_, std::ios::app)
      << R"({"event_id":"no-check","source":"pos-demo",)"
      << R"("location_id":"downtown-01","item_fired":{"line_id":"1"}})"
      << "\n";
  CommandResult run = RunAdapter();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.err, HasSubstr(":4: event no-check rejected: "));
  EXPECT_THAT(run.err, HasSubstr("3 accepted, 0 duplicates, 1 rejected"));
  EXPECT_EQ(State()["line"], 4);  // Refused is final: not sent again.
}

TEST_F(JsonlAdapterTest, FollowsAGrowingFileUntilTerminated) {
  const std::vector<std::string> lines = DinnerLines();
  WriteLines(lines, 0, 4, /*append=*/false);
  auto adapter = testing::ChildProcess::Start(
      AdapterArgs({"--follow", "--poll-ms", "20"}),
      {absl::StrCat("MAKEGOOD_TOKEN=", kAdapterToken)},
      dir_.File("adapter.log"));
  auto await_events = [&](int64_t count) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (StoredEvents() < count && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    return StoredEvents();
  };
  EXPECT_EQ(await_events(4), 4);
  WriteLines(lines, 4, lines.size(), /*append=*/true);
  EXPECT_EQ(await_events(lines.size()), static_cast<int64_t>(lines.size()));
  adapter->Signal(SIGTERM);
  EXPECT_EQ(adapter->Wait(), 0)
      << testing::ReadFileOrEmpty(dir_.File("adapter.log"));
  EXPECT_EQ(State()["line"], lines.size());
}

TEST_F(JsonlAdapterTest, RefusesBadOptionsAndStateClearly) {
  WriteLines(DinnerLines(), 0, 2, /*append=*/false);
  std::ofstream(state_path_) << "not json";
  CommandResult bad_state = RunAdapter();
  EXPECT_EQ(bad_state.exit_code, 2);
  EXPECT_THAT(bad_state.err, HasSubstr("not a resume state"));
  EXPECT_EQ(StoredEvents(), 0);

  CommandResult stdin_state =
      RunCommand({MAKEGOOD_ADAPTER_JSONL_BIN, "--file", "-", "--state",
                  state_path_, "--token", kAdapterToken});
  EXPECT_EQ(stdin_state.exit_code, 2);
  EXPECT_THAT(stdin_state.err, HasSubstr("stdin cannot be resumed"));

  CommandResult missing =
      RunCommand({MAKEGOOD_ADAPTER_JSONL_BIN, "--server", daemon_->address(),
                  "--file", dir_.File("nope.jsonl"), "--token", kAdapterToken});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("nope.jsonl: cannot open"));

  CommandResult wrong_role =
      RunCommand({MAKEGOOD_ADAPTER_JSONL_BIN, "--server", daemon_->address(),
                  "--file", export_path_, "--token", kServerToken});
  EXPECT_EQ(wrong_role.exit_code, 1);
  EXPECT_THAT(wrong_role.err, HasSubstr("publish: "));
  EXPECT_EQ(StoredEvents(), 0);
}

TEST_F(JsonlAdapterTest, PublishesFromStdin) {
  CommandResult run =
      RunCommand({MAKEGOOD_ADAPTER_JSONL_BIN, "--server", daemon_->address(),
                  "--file", "-", "--token", kAdapterToken},
                 {}, MAKEGOOD_DINNER_EVENTS);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(StoredEvents(), static_cast<int64_t>(DinnerLines().size()));
}

// What the vendor adapters make of real vendor orders is what makegoodd
// takes: translate, then publish the lines through the JSON-lines adapter.
TEST_F(JsonlAdapterTest, TranslatedVendorOrdersAreAllAccepted) {
  const std::vector<std::pair<std::string, std::string>> orders = {
      {"square", "square/RetrieveOrderResponse.json"},
      {"square", "square/UpdateOrderResponse.json"},
      {"toast", "toast/webhook_order_updated.json"},
      {"clover", "clover/order_expanded_open_state.json"},
      {"shopify", "shopify/sdk_fixture_order.json"}};
  int64_t published = 0;
  for (const auto& [vendor, fixture] : orders) {
    CommandResult translated =
        RunCommand({MAKEGOOD_ADAPTER_BIN, vendor, "translate",
                    absl::StrCat(MAKEGOOD_POS_FIXTURES, "/", fixture),
                    "--location", "downtown-01", "--currency", "USD"});
    ASSERT_EQ(translated.exit_code, 0) << fixture << ": " << translated.err;
    std::ofstream(export_path_) << translated.out;
    const int64_t lines =
        std::count(translated.out.begin(), translated.out.end(), '\n');
    ASSERT_GT(lines, 0) << fixture;
    CommandResult run =
        RunCommand({MAKEGOOD_ADAPTER_JSONL_BIN, "--server", daemon_->address(),
                    "--file", export_path_, "--token", kAdapterToken});
    ASSERT_EQ(run.exit_code, 0) << fixture << ": " << run.err;
    EXPECT_THAT(run.err, HasSubstr(absl::StrCat(
                             lines, " accepted, 0 duplicates, 0 rejected")))
        << fixture;
    published += lines;
  }
  EXPECT_EQ(StoredEvents(), published);
}

}  // namespace
}  // namespace makegood
