// IPv4/IPv6 socket addresses: parse a literal, format, compare.
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <string>

namespace sy {

struct NetAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  bool valid() const { return length != 0; }
  int family() const { return storage.ss_family; }
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int port() const;
  std::string ip() const;  // the address without the port

  // Parses an IPv4 or IPv6 literal (no host names). Returns false if it is not one.
  static bool Parse(const std::string& ip, int port, NetAddress* out);
  static NetAddress From(const sockaddr* sa, socklen_t len);
};

bool SameAddress(const NetAddress& a, const NetAddress& b);  // family, IP and port

}  // namespace sy
