#ifndef MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_
#define MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_

// The real makegood-adapter between the real makegoodd and a fake vendor
// API, and the steps every vendor's test takes.

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "absl/strings/match.h"
#include "daemon_fixture.h"

namespace makegood {

// Holds a fake vendor's write handler after the write took effect, like a
// vendor whose answer is slow or never arrives: the test decides when it
// answers. A handler calls Pass() with no lock of its own held, so that
// reads go on meanwhile. Thread-safe.
class WriteGate {
 public:
  // Writes from now on wait in Pass() until Open().
  void Close() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = false;
    cv_.notify_all();
  }
  // A write took effect: counted, then held while the gate is closed (at
  // most a minute, so that a failing test still ends).
  void Pass() {
    std::unique_lock<std::mutex> lock(mu_);
    ++passed_;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::minutes(1), [this] { return !closed_; });
  }
  // Waits (at most 20 s) until `count` writes took effect.
  bool AwaitPassed(int count) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20),
                        [&] { return passed_ >= count; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool closed_ = false;
  int passed_ = 0;
};

// A vendor's API on loopback for the adapter to call, recording requests
// that do not match the vendor's documented shape. A subclass registers its
// routes on server_ and then calls Listen() in its constructor; its
// destructor calls Stop() first, because the handlers use its members.
class FakeVendorApi {
 public:
  FakeVendorApi(const FakeVendorApi&) = delete;
  FakeVendorApi& operator=(const FakeVendorApi&) = delete;
  virtual ~FakeVendorApi() { Stop(); }

  int port() const { return port_; }
  WriteGate& gate() { return gate_; }
  // From now on (until false) every call is answered 401, as a vendor
  // answers an expired token.
  void RefuseToken(bool refuse) {
    std::lock_guard<std::mutex> lock(mu_);
    refuse_token_ = refuse;
  }
  int refused() {
    std::lock_guard<std::mutex> lock(mu_);
    return refused_;
  }
  std::vector<std::string> shape_errors() {
    std::lock_guard<std::mutex> lock(mu_);
    return shape_errors_;
  }

 protected:
  FakeVendorApi() = default;

  void Listen() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  void Stop() {
    if (!thread_.joinable()) return;
    gate_.Open();  // A held handler finishes, so the server can stop.
    server_.stop();
    thread_.join();
  }

  // With mu_ held: true (and the answer 401) while RefuseToken is on.
  bool RefusedLocked(httplib::Response& res) {
    if (!refuse_token_) return false;
    ++refused_;
    res.status = 401;
    res.set_content(R"({"message":"token expired"})", "application/json");
    return true;
  }

  httplib::Server server_;
  std::mutex mu_;  // Guards what the handlers record, here and in subclasses.
  std::vector<std::string> shape_errors_;
  WriteGate gate_;
  bool refuse_token_ = false;
  int refused_ = 0;

 private:
  int port_ = 0;
  std::thread thread_;
};

// A running makegood-adapter between the real makegoodd and a fake vendor.
class VendorAdapterTest : public DaemonTest {
 protected:
  // Starts `makegood-adapter <vendor> --config` with the settings every
  // adapter needs plus `vendor_yaml`; its webhooks are posted to.
  void StartAdapter(const std::string& vendor, const std::string& vendor_yaml) {
    vendor_ = vendor;
    vendor_yaml_ = vendor_yaml;
    adapter_ = StartInstance("adapter", vendor_yaml);
    ASSERT_TRUE(adapter_ != nullptr);
    webhooks_ =
        std::make_unique<httplib::Client>("127.0.0.1", adapter_->port());
  }

  // Another makegood-adapter process of the same vendor, with its own
  // state file, log and name: `instance`.db, `instance`.log. Null (and a
  // failure) when it does not start.
  std::unique_ptr<DaemonProcess> StartInstance(const std::string& instance,
                                               const std::string& vendor_yaml) {
    const std::string config = dir_.File(instance + ".yaml");
    std::ofstream(config) << "listen: 127.0.0.1:0\n"
                          << "state: " << dir_.File(instance + ".db") << "\n"
                          << "adapter_name: " << vendor_ << "-" << instance
                          << "\n"
                          << "location: downtown-01\n"
                          << "currency: USD\n"
                          << "makegood: { server: " << daemon_->address()
                          << ", token: " << kAdapterToken << " }\n"
                          << vendor_yaml;
    auto adapter = DaemonProcess::Start(MAKEGOOD_ADAPTER_BIN,
                                        {vendor_, "--config", config},
                                        dir_.File(instance + ".log"));
    EXPECT_TRUE(adapter.ok()) << adapter.status();
    return adapter.ok() ? *std::move(adapter) : nullptr;
  }

  // SIGKILL: the adapter saves nothing more, as in a power cut.
  void KillAdapter() {
    adapter_->Signal(SIGKILL);
    EXPECT_EQ(adapter_->Wait(), 128 + SIGKILL);
    // The log is started afresh by the next run: keep this run's.
    std::ofstream(dir_.File("adapter-killed.log"), std::ios::app)
        << AdapterLog();
  }

  // The same adapter (same state file) again, with `vendor_yaml` when given.
  void RestartAdapter(const std::string& vendor_yaml = "") {
    StartAdapter(vendor_, vendor_yaml.empty() ? vendor_yaml_ : vendor_yaml);
  }

  std::string AdapterLog(const std::string& instance = "adapter") {
    return testing::ReadFileOrEmpty(dir_.File(instance + ".log"));
  }

  // How many lines of the adapter's log contain `text`.
  int LogLinesWith(const std::string& text) {
    std::istringstream log(AdapterLog());
    int count = 0;
    for (std::string line; std::getline(log, line);) {
      if (absl::StrContains(line, text)) ++count;
    }
    return count;
  }

  // Waits (at most 20 s) until `done` is true.
  static bool AwaitTrue(const std::function<bool()>& done) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    while (!done()) {
      if (absl::Now() > until) return false;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return true;
  }

  httplib::Result Post(const std::string& body,
                       const httplib::Headers& headers) {
    return webhooks_->Post(("/webhooks/" + vendor_).c_str(), headers, body,
                           "application/json");
  }

  // Waits (at most 20 s) until `sql` answers `want` in makegoodd's database.
  int64_t AwaitInt(const std::string& sql, int64_t want) {
    return AwaitIntIn(db_path(), sql, want);
  }

  // The same in the database file `path` (the adapter's state, say).
  int64_t AwaitIntIn(const std::string& path, const std::string& sql,
                     int64_t want) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    int64_t got = QueryInt(path, sql);
    while (got != want && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(20));
      got = QueryInt(path, sql);
    }
    return got;
  }

  // Waits until the check is known to makegoodd.
  bool AwaitCheck(const std::string& check_id) {
    return AwaitInt("SELECT count(*) FROM checks WHERE check_id = '" +
                        check_id + "'",
                    1) == 1;
  }

  // Flags `line` of `check_id` as cold food, as the server, under request
  // id "flag-<request>"; the case as flagged.
  v1::RecoveryCase FlagCold(const std::string& check_id,
                            const std::string& line,
                            const std::string& request) {
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::FlagProblemRequest flag;
    flag.set_request_id("flag-" + request);
    flag.set_check_id(check_id);
    flag.add_line_ids(line);
    flag.set_category_id("cold_food");
    flag.set_severity(v1::MAJOR);
    v1::RecoveryCase flagged;
    grpc::Status status =
        stub->FlagProblem(Context(kServerToken).get(), flag, &flagged);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged;
  }

  // Flags `line` of `check_id` as cold and applies the comp (o2) as the
  // manager; the case id.
  std::string FlagAndComp(const std::string& check_id,
                          const std::string& line) {
    const v1::RecoveryCase flagged = FlagCold(check_id, line, check_id);
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-" + check_id);
    apply.set_case_id(flagged.case_id());
    apply.set_option_id("o2");  // Comp the item.
    v1::RecoveryCase applied;
    grpc::Status status =
        stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return flagged.case_id();
  }

  // Waits until the case's command is acknowledged.
  bool AwaitAck(const std::string& case_id) {
    return AwaitInt(
               "SELECT count(*) FROM commands WHERE acked_at_us IS NOT "
               "NULL AND case_id = '" +
                   case_id + "'",
               1) == 1;
  }

  std::string CommandText(const std::string& case_id,
                          const std::string& column) {
    return QueryText(db_path(), "SELECT " + column +
                                    " FROM commands WHERE case_id = '" +
                                    case_id + "'");
  }

  std::string vendor_;
  std::string vendor_yaml_;
  std::unique_ptr<DaemonProcess> adapter_;
  std::unique_ptr<httplib::Client> webhooks_;
};

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_
