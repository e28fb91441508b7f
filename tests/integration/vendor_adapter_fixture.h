#ifndef MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_
#define MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_

// The real makegood-adapter between the real makegoodd and a fake vendor
// API, and the steps every vendor's test takes.

#include <httplib.h>

#include <mutex>
#include <thread>

#include "daemon_fixture.h"

namespace makegood {

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
    server_.stop();
    thread_.join();
  }

  httplib::Server server_;
  std::mutex mu_;  // Guards what the handlers record, here and in subclasses.
  std::vector<std::string> shape_errors_;

 private:
  int port_ = 0;
  std::thread thread_;
};

// A running makegood-adapter between the real makegoodd and a fake vendor.
class VendorAdapterTest : public DaemonTest {
 protected:
  // Starts `makegood-adapter <vendor> --config` with the settings every
  // adapter needs plus `vendor_yaml`.
  void StartAdapter(const std::string& vendor, const std::string& vendor_yaml) {
    vendor_ = vendor;
    const std::string config = dir_.File(vendor + ".yaml");
    std::ofstream(config) << "listen: 127.0.0.1:0\n"
                          << "state: " << dir_.File("adapter.db") << "\n"
                          << "location: downtown-01\n"
                          << "currency: USD\n"
                          << "makegood: { server: " << daemon_->address()
                          << ", token: " << kAdapterToken << " }\n"
                          << vendor_yaml;
    auto adapter =
        DaemonProcess::Start(MAKEGOOD_ADAPTER_BIN, {vendor, "--config", config},
                             dir_.File("adapter.log"));
    ASSERT_TRUE(adapter.ok()) << adapter.status();
    adapter_ = *std::move(adapter);
    webhooks_ =
        std::make_unique<httplib::Client>("127.0.0.1", adapter_->port());
  }

  std::string AdapterLog() {
    return testing::ReadFileOrEmpty(dir_.File("adapter.log"));
  }

  httplib::Result Post(const std::string& body,
                       const httplib::Headers& headers) {
    return webhooks_->Post(("/webhooks/" + vendor_).c_str(), headers, body,
                           "application/json");
  }

  // Waits (at most 20 s) until `sql` answers `want`.
  int64_t AwaitInt(const std::string& sql, int64_t want) {
    const absl::Time until = absl::Now() + absl::Seconds(20);
    int64_t got = QueryInt(db_path(), sql);
    while (got != want && absl::Now() < until) {
      absl::SleepFor(absl::Milliseconds(20));
      got = QueryInt(db_path(), sql);
    }
    return got;
  }

  // Waits until the check is known to makegoodd.
  bool AwaitCheck(const std::string& check_id) {
    return AwaitInt("SELECT count(*) FROM checks WHERE check_id = '" +
                        check_id + "'",
                    1) == 1;
  }

  // Flags `line` of `check_id` as cold and applies the comp (o2) as the
  // manager; the case id.
  std::string FlagAndComp(const std::string& check_id,
                          const std::string& line) {
    auto stub = v1::RecoveryService::NewStub(channel_);
    v1::FlagProblemRequest flag;
    flag.set_request_id("flag-" + check_id);
    flag.set_check_id(check_id);
    flag.add_line_ids(line);
    flag.set_category_id("cold_food");
    flag.set_severity(v1::MAJOR);
    v1::RecoveryCase flagged;
    grpc::Status status =
        stub->FlagProblem(Context(kServerToken).get(), flag, &flagged);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::ApplyRemedyRequest apply;
    apply.set_request_id("apply-" + check_id);
    apply.set_case_id(flagged.case_id());
    apply.set_option_id("o2");  // Comp the item.
    v1::RecoveryCase applied;
    status = stub->ApplyRemedy(Context(kManagerToken).get(), apply, &applied);
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
  std::unique_ptr<DaemonProcess> adapter_;
  std::unique_ptr<httplib::Client> webhooks_;
};

}  // namespace makegood

#endif  // MAKEGOOD_TESTS_INTEGRATION_VENDOR_ADAPTER_FIXTURE_H_
