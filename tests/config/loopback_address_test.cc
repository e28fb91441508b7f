// IsLoopbackListenAddress decides whether makegoodd may listen without TLS,
// so it must say yes to exactly the loopback addresses: a host name that
// merely looks like one can resolve to any machine.

#include <string>

#include "config/config_validation.h"
#include "gtest/gtest.h"

namespace makegood::config {
namespace {

TEST(LoopbackAddressTest, AcceptsEveryIpv4LiteralOf127Slash8) {
  EXPECT_TRUE(IsLoopbackListenAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("127.0.0.2:0"));
  EXPECT_TRUE(IsLoopbackListenAddress("127.255.255.254:8080"));
  EXPECT_TRUE(IsLoopbackListenAddress("127.1.2.3:1"));
}

TEST(LoopbackAddressTest, AcceptsIpv6LoopbackAndLocalhost) {
  EXPECT_TRUE(IsLoopbackListenAddress("[::1]:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("::1:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("[0:0:0:0:0:0:0:1]:50051"));
  EXPECT_TRUE(IsLoopbackListenAddress("localhost:50051"));
}

TEST(LoopbackAddressTest, RefusesNamesThatOnlyLookLikeLoopback) {
  EXPECT_FALSE(IsLoopbackListenAddress("127.evil.example:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("127.0.0.1.nip.io:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("127.0.0.1evil:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("localhost.evil.example:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("mylocalhost:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("LOCALHOST.:50051"));
  // Shorthand and octal forms are names to a resolver, not literals here.
  EXPECT_FALSE(IsLoopbackListenAddress("127.1:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("0177.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("127.0.0.256:50051"));
}

TEST(LoopbackAddressTest, RefusesWildcardsOtherAddressesAndEmptyHosts) {
  EXPECT_FALSE(IsLoopbackListenAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress(":::50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("192.168.1.20:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("128.0.0.1:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("[::2]:50051"));
  // IPv4-mapped 127.0.0.1 is an IPv6 socket's address: not taken as ::1.
  EXPECT_FALSE(IsLoopbackListenAddress("[::ffff:127.0.0.1]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress(":50051"));
  EXPECT_FALSE(IsLoopbackListenAddress("[]:50051"));
  EXPECT_FALSE(IsLoopbackListenAddress(""));
  // Without a port it is not a listen address at all.
  EXPECT_FALSE(IsLoopbackListenAddress("127.0.0.1"));
  EXPECT_FALSE(IsLoopbackListenAddress("localhost"));
}

}  // namespace
}  // namespace makegood::config
