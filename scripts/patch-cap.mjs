#!/usr/bin/env node
// Patches the `cap` binding (0.2.1) after install, then rebuilds it, so that live capture has
//  1. the kernel's timestamp and the original length of each packet (libpcap's pcap_pkthdr), and
//     packets handed to JavaScript in batches: one 'batch' event (count, bytes) per poll wakeup,
//     the buffer holding [caplen, origlen, ts_sec, ts_usec] (u32, host order) + the bytes padded
//     to 4 per packet, instead of one 'packet' event per packet (which limited the lossless rate);
//  2. an 'error' event instead of an assert() that aborts the process when polling fails or
//     pcap_dispatch() reports an error (an interface that goes down while capturing);
//  3. a stats() method (libpcap's pcap_stats: packets received, dropped because the buffer was
//     full, dropped by the interface), so a live run can say when it did not keep up;
//  4. no netmask warning printed on stderr for an interface without an IPv4 address.
// Idempotent (a marker in the source); run by npm's postinstall. A binding with an earlier
// drcheck patch gets only the later edits. drcheck still works unpatched: it then stamps packets
// when the event fires and cannot count drops (src/capture/live.ts).
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const MARK = '/* drcheck-patch-5 */'
/** markers of earlier drcheck patches: such a source gets only the LATER_EDITS it lacks */
const EARLIER = ['/* drcheck-patch-3 */', '/* drcheck-patch-4 */']
const LATER_EDITS = [
  // 3. pcap_stats() as cap.stats(): {recv, drop, ifdrop}, or undefined when libpcap cannot say
  [`    static NAN_METHOD(Close) {`, `    static NAN_METHOD(Stats) {
      Pcap *obj = Nan::ObjectWrap::Unwrap<Pcap>(info.This());
      struct pcap_stat ps;
      if (!obj->pcap_handle || obj->closing || pcap_stats(obj->pcap_handle, &ps) != 0) return;
      Local<Object> o = Nan::New<Object>();
      Nan::Set(o, Nan::New<String>("recv").ToLocalChecked(), Nan::New<Number>((double)ps.ps_recv));
      Nan::Set(o, Nan::New<String>("drop").ToLocalChecked(), Nan::New<Number>((double)ps.ps_drop));
      Nan::Set(o, Nan::New<String>("ifdrop").ToLocalChecked(), Nan::New<Number>((double)ps.ps_ifdrop));
      info.GetReturnValue().Set(o);
    }

    static NAN_METHOD(Close) {`],
  [`      Nan::SetPrototypeMethod(tpl, "close", Close);`, `      Nan::SetPrototypeMethod(tpl, "close", Close);
      Nan::SetPrototypeMethod(tpl, "stats", Stats);`],
  // 4. no "Warning: …: no IPv4 address assigned - This may not actually work" on stderr for an
  //    interface without IPv4: the netmask only matters to filters with `broadcast`, which drcheck's
  //    filter does not use
  [`        fprintf(stderr, "Warning: %s - This may not actually work\\n", errbuf);`, `        (void)0; /* no netmask: only filters with 'broadcast' need it */`],
]
let dir
try {
  dir = dirname(createRequire(import.meta.url).resolve('cap/package.json'))
} catch {
  console.log('patch-cap: cap is not installed, nothing to patch')
  process.exit(0)
}
const file = join(dir, 'src', 'binding.cc')
let src = readFileSync(file, 'utf8')
if (src.includes(MARK)) {
  if (existsSync(join(dir, 'build', 'Release', 'cap.node'))) { console.log('patch-cap: already patched'); process.exit(0) }
} else if (EARLIER.some((m) => src.includes(m))) {
  // an install patched by an earlier drcheck: add what came later
  for (const [from, to] of LATER_EDITS) {
    if (src.includes(to)) continue
    if (!src.includes(from)) { console.log('patch-cap: unexpected patched source; left as it is'); process.exit(0) }
    src = src.replace(from, to)
  }
  for (const m of EARLIER) src = src.replace(m, MARK)
  writeFileSync(file, src)
} else {
  const edits = [
    // no immediate mode: with kernel timestamps on every packet, libpcap may hand over a whole
    // TPACKET_V3 block per wakeup (up to 20 ms late), so JavaScript is called once per block
    [`      if (pcap_set_timeout(obj->pcap_handle, 1000) != 0)`, `      if (pcap_set_timeout(obj->pcap_handle, 20) != 0)`],
    [`      if (set_immediate_mode != nullptr)
        set_immediate_mode(obj->pcap_handle, 1);`, `      (void)set_immediate_mode;`],
    // per-handle batch state
    [`    bool handling_packets;\n`, `    bool handling_packets;\n    ${MARK}\n    size_t batch_off;\n    uint32_t batch_count;\n`],
    [`      handling_packets = false;\n`, `      handling_packets = false;\n      batch_off = 0;\n      batch_count = 0;\n`],
    // each packet is appended to the JS buffer as [caplen, origlen, ts_sec, ts_usec] (u32, host
    // order) + bytes padded to 4; one 'batch' event hands over all that one poll wakeup read
    [`      size_t copy_len = pkt_hdr->caplen;
      bool truncated = false;
      if (copy_len > obj->buffer_length) {
        copy_len = obj->buffer_length;
        truncated = true;
      }
      memcpy(obj->buffer_data, pkt_data, copy_len);

      Local<Value> emit_argv[3] = {
        Nan::New<String>(packet_symbol),
        Nan::New<Number>(copy_len),
        Nan::New<Boolean>(truncated)
      };
      obj->async_res.runInAsyncScope(
        Nan::New<Object>(obj->persistent()),
        Nan::New<Function>(obj->Emit),
        3,
        emit_argv
      );`,
    `      size_t room = obj->buffer_length > 16 ? obj->buffer_length - 16 : 0;
      size_t copy_len = pkt_hdr->caplen;
      if (copy_len > room) copy_len = room;
      size_t need = 16 + ((copy_len + 3) & ~(size_t)3);
      if (obj->batch_off + need > obj->buffer_length) FlushBatch(obj);
      if (obj->closing || need > obj->buffer_length) return;
      uint32_t head[4] = {(uint32_t)copy_len, (uint32_t)pkt_hdr->len, (uint32_t)pkt_hdr->ts.tv_sec, (uint32_t)pkt_hdr->ts.tv_usec};
      memcpy(obj->buffer_data + obj->batch_off, head, 16);
      memcpy(obj->buffer_data + obj->batch_off + 16, pkt_data, copy_len);
      obj->batch_off += need;
      obj->batch_count++;`],
    [`    static void cb_packets(uv_poll_t* handle, int status, int events) {
      assert(status == 0);
      Pcap *obj = (Pcap*)handle->data;
      int packet_count;

      if (obj->closing)
        return obj->cleanup();
`,
    `    static void FlushBatch(Pcap* obj) {
      if (obj->batch_count == 0) return;
      Nan::HandleScope scope;
      Local<Value> argv[3] = {Nan::New<String>("batch").ToLocalChecked(), Nan::New<Number>(obj->batch_count), Nan::New<Number>((double)obj->batch_off)};
      obj->batch_count = 0;
      obj->batch_off = 0;
      obj->async_res.runInAsyncScope(Nan::New<Object>(obj->persistent()), Nan::New<Function>(obj->Emit), 3, argv);
    }
    static void EmitError(Pcap* obj, const char* msg) {
      Nan::HandleScope scope;
      uv_poll_stop(&obj->poll_handle);
      Local<Value> argv[2] = {Nan::New<String>("error").ToLocalChecked(), Nan::New<String>(msg).ToLocalChecked()};
      obj->async_res.runInAsyncScope(Nan::New<Object>(obj->persistent()), Nan::New<Function>(obj->Emit), 2, argv);
    }
    static void cb_packets(uv_poll_t* handle, int status, int events) {
      Pcap *obj = (Pcap*)handle->data;
      int packet_count;

      if (obj->closing)
        return obj->cleanup();
      if (status < 0)
        return EmitError(obj, uv_strerror(status));
`],
    [`          packet_count = pcap_dispatch(obj->pcap_handle,
                                       1,
                                       Pcap::EmitPacket,
                                       (u_char*)obj);
        } while (packet_count > 0 && !obj->closing);

        obj->handling_packets = false;
        if (obj->closing)
          obj->cleanup();
      }
    }
#endif`,
    `          packet_count = pcap_dispatch(obj->pcap_handle,
                                       -1,
                                       Pcap::EmitPacket,
                                       (u_char*)obj);
        } while (packet_count > 0 && !obj->closing);
        if (!obj->closing) FlushBatch(obj);

        obj->handling_packets = false;
        if (obj->closing)
          return obj->cleanup();
        if (packet_count < 0 && packet_count != PCAP_ERROR_BREAK)
          return EmitError(obj, pcap_geterr(obj->pcap_handle));
      }
    }
#endif`],
    ...LATER_EDITS,
  ]
  for (const [from, to] of edits) {
    if (!src.includes(from)) {
      console.log('patch-cap: cap\'s source is not the expected 0.2.1; left unpatched (live timestamps from the event loop)')
      process.exit(0)
    }
    src = src.replace(from, to)
  }
  writeFileSync(file, src)
}
console.log('patch-cap: rebuilding cap with kernel timestamps and error events')
try {
  execFileSync('npm', ['rebuild', 'cap', '--foreground-scripts'], {cwd: join(dir, '..', '..'), stdio: 'pipe'})
} catch (error) {
  console.error(`patch-cap: rebuild failed (${error.message.split('\n')[0]}); restoring the original binding`)
  execFileSync('npm', ['rebuild', 'cap'], {cwd: join(dir, '..', '..'), stdio: 'ignore'})
  process.exit(0)
}
console.log('patch-cap: done')
