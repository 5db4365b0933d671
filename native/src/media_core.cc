#include "media_core.h"

#include <algorithm>

#include "clock.h"

namespace sy {
namespace {

// Port binds a media thread makes after each tick to refill the pool: 16 pairs, 800 a second
// per thread (faster bursts bind on demand in Take, counted as missed).
constexpr size_t kRefillBindsPerTick = 16;

std::string EndpointName(uint32_t id) { return "endpoint " + std::to_string(id); }
std::string MixerName(uint32_t id) { return "mixer " + std::to_string(id); }

Status CheckPayloadTypes(const PayloadTypes& p) {
  if (p.pcmu == p.pcma) return Status::Range("PCMU and PCMA need different payload types");
  if (p.telephoneEvent >= 0 && (p.telephoneEvent == p.pcmu || p.telephoneEvent == p.pcma)) {
    return Status::Range("telephone-event needs a payload type of its own");
  }
  return Status::Ok();
}

// The engine's address was checked by the caller; port 0.
NetAddress BindAddress(const std::string& ip) {
  NetAddress a;
  NetAddress::Parse(ip, 0, &a);
  return a;
}

}  // namespace

MediaCore::MediaCore(EngineOptions options, std::function<void()> notify)
    : options_(std::move(options)), notify_(std::move(notify)),
      ports_(options_.portMin, options_.portMax, BindAddress(options_.address), static_cast<size_t>(options_.portPool)),
      random_(std::random_device{}()) {}

MediaCore::~MediaCore() { Close(); }

void MediaCore::SetNotify(std::function<void()> notify) { notify_ = std::move(notify); }

Status MediaCore::Start() {
  for (unsigned i = 0; i < options_.threads; ++i) {
    auto t = std::make_unique<MediaThread>(i, *this);
    std::string error;
    if (!t->Start(options_.realtimePriority, &error)) {
      Close();
      return Status::Error(error);
    }
    threads_.push_back(std::move(t));
    load_.push_back(0);
  }
  std::string error;
  if (!writer_.Start(&error)) {
    Close();
    return Status::Error(error);
  }
  return Status::Ok();
}

void MediaCore::Close() {
  if (closed_.exchange(true)) return;
  // Not under mu_: a stopping thread may still report a closed endpoint.
  for (auto& t : threads_) t->Stop();
  ports_.CloseReady();  // after the threads: none refills any more
  writer_.Stop();  // after the producers: every open recording is drained and its header fixed
  std::lock_guard<std::mutex> lock(mu_);
  endpoints_.clear();
  mixers_.clear();
  recordings_.clear();
  std::fill(load_.begin(), load_.end(), 0);
}

Status MediaCore::FindEndpoint(uint32_t id, EndpointRecord** out) {
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return Status::Range("unknown " + EndpointName(id));
  if (it->second.closing) return Status::Range(EndpointName(id) + " is closed");
  *out = &it->second;
  return Status::Ok();
}

Status MediaCore::FindMixer(uint32_t id, MixerRecord** out) {
  auto it = mixers_.find(id);
  if (it == mixers_.end()) return Status::Range("unknown " + MixerName(id));
  *out = &it->second;
  return Status::Ok();
}

unsigned MediaCore::LeastLoaded() const {
  unsigned best = 0;
  for (unsigned i = 1; i < load_.size(); ++i) {
    if (load_[i] < load_[best]) best = i;
  }
  return best;
}

Status MediaCore::CreateEndpoint(const EndpointRequest& req, EndpointInfo* out) {
  if (closed_) return Status::Error("media engine is closed");
  if (req.settings.payloadTypes) {
    Status s = CheckPayloadTypes(*req.settings.payloadTypes);
    if (!s.ok()) return s;
  }
  if (req.join && req.mixer == 0) return Status::Range("join needs a mixer");
  const int jitterMin = req.jitterMinMs >= 0 ? req.jitterMinMs : options_.jitterMinMs;
  const int jitterMax = req.jitterMaxMs >= 0 ? req.jitterMaxMs : options_.jitterMaxMs;
  if (jitterMin > jitterMax) {
    return Status::Range("jitterMinMs (" + std::to_string(jitterMin) + ") exceeds jitterMaxMs (" +
                         std::to_string(jitterMax) + ")");
  }
  const std::string ip = req.address.empty() ? options_.address : req.address;
  NetAddress bindTo;
  if (!NetAddress::Parse(ip, 0, &bindTo)) {
    return Status::Type("address must be an IPv4 or IPv6 literal, got '" + ip + "'");
  }

  std::lock_guard<std::mutex> lock(mu_);
  unsigned thread;
  MixerRecord* mixer = nullptr;
  Status s;
  if (req.mixer != 0) {
    if (!(s = FindMixer(req.mixer, &mixer)).ok()) return s;
    thread = mixer->thread;
    if (req.thread >= 0 && static_cast<unsigned>(req.thread) != thread) {
      return Status::Range(MixerName(req.mixer) + " is on media thread " + std::to_string(thread) +
                           ", not " + std::to_string(req.thread));
    }
  } else if (req.thread >= 0) {
    if (static_cast<size_t>(req.thread) >= threads_.size()) {
      return Status::Range("thread must be below " + std::to_string(threads_.size()) + ", got " +
                           std::to_string(req.thread));
    }
    thread = static_cast<unsigned>(req.thread);
  } else {
    thread = LeastLoaded();
  }

  BoundPair pair;
  std::string error;
  bool exhausted = false;
  if (!ports_.Take(bindTo, &pair, &error, &exhausted)) return Status::Error(error);

  const uint32_t id = nextId_++;
  EndpointConfig c;
  c.id = id;
  c.fd = pair.rtpFd;
  c.rtcpFd = pair.rtcpFd;
  c.port = pair.port;
  c.pool = &ports_;
  c.symmetric = req.symmetric;
  c.rtpTimeoutMs = options_.rtpTimeoutMs;
  const auto samples = [](int requested, int fallback) {
    return static_cast<size_t>(requested >= 0 ? requested : fallback) * kSampleRate / 1000;
  };
  c.jitter.initialSamples = samples(req.jitterMs, options_.jitterMs);
  c.jitter.minSamples = samples(req.jitterMinMs, options_.jitterMinMs);
  c.jitter.maxSamples = samples(req.jitterMaxMs, options_.jitterMaxMs);
  c.vad = req.vad;
  c.rtcpIntervalMs = req.rtcpIntervalMs >= 0 ? req.rtcpIntervalMs : options_.rtcpIntervalMs;
  c.ssrc = static_cast<uint32_t>(random_());
  c.cname = "switchyard-" + std::to_string(c.ssrc) + "@" + bindTo.ip();
  c.firstSequence = static_cast<uint16_t>(random_());
  c.firstTimestamp = static_cast<uint32_t>(random_());

  auto counters = std::make_shared<EndpointCounters>();
  auto ep = std::make_shared<RtpEndpoint>(c, counters);
  // Not on a media thread yet: configured here, it is whole when the thread first sees it.
  ep->Configure(req.settings, MonotonicNs());
  const bool telephoneEvent = ep->payloadTypes().telephoneEvent >= 0;
  endpoints_[id] = EndpointRecord{thread, req.join ? req.mixer : 0, false, counters, telephoneEvent};
  ++load_[thread];
  if (req.join) mixer->members.push_back(id);
  const uint32_t join = req.join ? req.mixer : 0;
  const int64_t openedNs = pair.takenNs;
  threads_[thread]->Post([ep, join, openedNs](MediaThread& t) mutable {
    RtpEndpoint* added = ep.get();
    t.AddEndpoint(std::move(ep), openedNs);
    if (join != 0) {
      if (Mixer* m = t.FindMixer(join)) m->AddMember(added);
    }
  });

  out->id = id;
  out->address = bindTo.ip();
  out->port = pair.port;
  out->thread = thread;
  return Status::Ok();
}

Status MediaCore::PostToEndpoint(uint32_t id, std::function<void(RtpEndpoint&)> fn) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  EndpointRecord* r;
  Status s = FindEndpoint(id, &r);
  if (!s.ok()) return s;
  threads_[r->thread]->Post([id, fn = std::move(fn)](MediaThread& t) {
    if (RtpEndpoint* ep = t.FindEndpoint(id)) fn(*ep);
  });
  return Status::Ok();
}

Status MediaCore::Configure(uint32_t id, const EndpointSettings& settings) {
  if (settings.payloadTypes) {
    Status s = CheckPayloadTypes(*settings.payloadTypes);
    if (!s.ok()) return s;
  }
  // The time of posting, not of running: the thread takes commands at its next tick, and a
  // new remote must not latch onto datagrams that were already waiting from the old one.
  const int64_t postedNs = MonotonicNs();
  Status s = PostToEndpoint(id, [settings, postedNs](RtpEndpoint& ep) { ep.Configure(settings, postedNs); });
  if (s.ok() && settings.payloadTypes) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = endpoints_.find(id);
    if (it != endpoints_.end()) it->second.telephoneEvent = settings.payloadTypes->telephoneEvent >= 0;
  }
  return s;
}

Status MediaCore::PlayTone(uint32_t id, const ToneSpec& tone, ToneTarget target) {
  return PostToEndpoint(id, [tone, target](RtpEndpoint& ep) { ep.PlayTone(tone, target); });
}

Status MediaCore::SendDtmf(uint32_t id, DtmfRequest request) {
  if (request.method == DtmfSendMethod::kRfc4733) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = endpoints_.find(id);
    if (it != endpoints_.end() && !it->second.telephoneEvent) {
      return Status::Range(EndpointName(id) + " has no telephone-event payload type: RFC 4733 DTMF cannot be sent "
                           "(use method 'inband' or 'auto')");
    }
  }
  return PostToEndpoint(id, [request = std::move(request)](RtpEndpoint& ep) mutable { ep.SendDtmf(std::move(request)); });
}

Status MediaCore::StopTone(uint32_t id) {
  return PostToEndpoint(id, [](RtpEndpoint& ep) { ep.StopTone(); });
}

Status MediaCore::CloseEndpoint(uint32_t id) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  EndpointRecord* r;
  Status s = FindEndpoint(id, &r);
  if (!s.ok()) return s;
  r->closing = true;
  if (r->mixer != 0) {
    auto m = mixers_.find(r->mixer);
    if (m != mixers_.end()) {
      auto& v = m->second.members;
      v.erase(std::remove(v.begin(), v.end(), id), v.end());
    }
    r->mixer = 0;
  }
  threads_[r->thread]->Post([id](MediaThread& t) { t.CloseEndpoint(id); });
  return Status::Ok();
}

void MediaCore::RefillPorts() {
  // Every tick of every thread, so the pool fills after start, replaces the pairs taken and
  // tops up once a range that ran dry has ports again. A bounded number of binds per tick (about
  // 11 us a pair here): a burst of creations is replaced over the next ticks, not before one.
  ports_.Refill(kRefillBindsPerTick);
}

void MediaCore::OnEndpointClosed(uint32_t endpointId) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = endpoints_.find(endpointId);
  if (it == endpoints_.end()) return;
  if (it->second.thread < load_.size() && load_[it->second.thread] > 0) --load_[it->second.thread];
  endpoints_.erase(it);
}

Status MediaCore::EndpointStats(uint32_t id, std::vector<double>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = endpoints_.find(id);
  if (it == endpoints_.end()) return Status::Range("unknown " + EndpointName(id));
  const EndpointCounters& c = *it->second.counters;
  out->reserve(kEndpointCounterCount);
#define SY_READ_COUNTER(name) out->push_back(static_cast<double>(c.name.load(std::memory_order_relaxed)));
  SY_ENDPOINT_COUNTERS(SY_READ_COUNTER)
#undef SY_READ_COUNTER
  return Status::Ok();
}

Status MediaCore::CreateMixer(int thread, uint32_t* id, unsigned* threadOut) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  unsigned t;
  if (thread >= 0) {
    if (static_cast<size_t>(thread) >= threads_.size()) {
      return Status::Range("thread must be below " + std::to_string(threads_.size()) + ", got " +
                           std::to_string(thread));
    }
    t = static_cast<unsigned>(thread);
  } else {
    t = LeastLoaded();
  }
  const uint32_t mixerId = nextId_++;
  mixers_[mixerId] = MixerRecord{t, {}};
  threads_[t]->Post([mixerId](MediaThread& mt) { mt.AddMixer(mixerId); });
  *id = mixerId;
  *threadOut = t;
  return Status::Ok();
}

Status MediaCore::CloseMixer(uint32_t id) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  MixerRecord* m;
  Status s = FindMixer(id, &m);
  if (!s.ok()) return s;
  for (uint32_t member : m->members) {
    auto e = endpoints_.find(member);
    if (e != endpoints_.end()) e->second.mixer = 0;
  }
  const unsigned thread = m->thread;
  mixers_.erase(id);
  threads_[thread]->Post([id](MediaThread& t) { t.CloseMixer(id); });
  return Status::Ok();
}

Status MediaCore::AddMember(uint32_t mixer, uint32_t endpoint) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  MixerRecord* m;
  EndpointRecord* e;
  Status s = FindMixer(mixer, &m);
  if (!s.ok() || !(s = FindEndpoint(endpoint, &e)).ok()) return s;
  if (e->mixer == mixer) return Status::Ok();
  if (e->mixer != 0) {
    return Status::Range(EndpointName(endpoint) + " is already a member of " + MixerName(e->mixer));
  }
  if (e->thread != m->thread) {
    return Status::Range(EndpointName(endpoint) + " is on media thread " + std::to_string(e->thread) + " but " +
                         MixerName(mixer) + " is on thread " + std::to_string(m->thread) +
                         ": create the endpoint with { mixer } or the same { thread }");
  }
  e->mixer = mixer;
  m->members.push_back(endpoint);
  threads_[m->thread]->Post([mixer, endpoint](MediaThread& t) {
    Mixer* mx = t.FindMixer(mixer);
    RtpEndpoint* ep = t.FindEndpoint(endpoint);
    if (mx != nullptr && ep != nullptr) mx->AddMember(ep);
  });
  return Status::Ok();
}

Status MediaCore::RemoveMember(uint32_t mixer, uint32_t endpoint) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  MixerRecord* m;
  Status s = FindMixer(mixer, &m);
  if (!s.ok()) return s;
  auto& v = m->members;
  auto it = std::find(v.begin(), v.end(), endpoint);
  if (it == v.end()) return Status::Range(EndpointName(endpoint) + " is not a member of " + MixerName(mixer));
  v.erase(it);
  auto e = endpoints_.find(endpoint);
  if (e != endpoints_.end()) e->second.mixer = 0;
  threads_[m->thread]->Post([mixer, endpoint](MediaThread& t) {
    if (Mixer* mx = t.FindMixer(mixer)) mx->RemoveMember(endpoint);
  });
  return Status::Ok();
}

Status MediaCore::SetHears(uint32_t mixer,
                           const std::vector<std::pair<uint32_t, std::vector<uint32_t>>>& sets) {
  if (closed_) return Status::Error("media engine is closed");
  std::lock_guard<std::mutex> lock(mu_);
  MixerRecord* m;
  Status s = FindMixer(mixer, &m);
  if (!s.ok()) return s;
  auto isMember = [&](uint32_t id) { return std::find(m->members.begin(), m->members.end(), id) != m->members.end(); };
  for (const auto& [member, hears] : sets) {
    if (!isMember(member)) return Status::Range(EndpointName(member) + " is not a member of " + MixerName(mixer));
    for (uint32_t h : hears) {
      if (!isMember(h)) {
        return Status::Range(EndpointName(member) + " cannot hear " + EndpointName(h) + ": not a member of " +
                             MixerName(mixer));
      }
    }
  }
  threads_[m->thread]->Post([mixer, sets](MediaThread& t) {
    Mixer* mx = t.FindMixer(mixer);
    if (mx == nullptr) return;
    for (const auto& [member, hears] : sets) mx->SetHears(member, hears);
  });
  return Status::Ok();
}

std::vector<ThreadStats> MediaCore::Stats() {
  std::vector<ThreadStats> out;
  for (auto& t : threads_) out.push_back(t->Stats());
  return out;
}

void MediaCore::Deliver(EventList&& events) {
  bool call = false;
  {
    std::lock_guard<std::mutex> lock(eventsMu_);
    for (Event& e : events) pending_.push_back(std::move(e));
    if (!notifyScheduled_) {
      notifyScheduled_ = true;
      call = true;
    }
  }
  if (call && notify_) notify_();
}

EventList MediaCore::TakeEvents() {
  std::lock_guard<std::mutex> lock(eventsMu_);
  EventList out;
  out.swap(pending_);
  notifyScheduled_ = false;
  return out;
}

}  // namespace sy
