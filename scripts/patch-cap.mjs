#!/usr/bin/env node
// Patches the `cap` binding (0.2.1) after install, then rebuilds it, so that live capture has
//  1. the kernel's timestamp and the original length of each packet (libpcap's pcap_pkthdr): the
//     'packet' event gets (nbytes, truncated, tsSec, tsUsec, origLen) instead of (nbytes, truncated);
//  2. an 'error' event instead of an assert() that aborts the process when polling fails or
//     pcap_dispatch() reports an error (an interface that goes down while capturing).
// Idempotent (a marker in the source); run by npm's postinstall. drcheck still works unpatched:
// it then stamps packets when the event fires (src/capture/live.ts).
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'

const MARK = '/* drcheck-patch-1 */'
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
} else {
  const edits = [
    [`      Local<Value> emit_argv[3] = {
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
    `      ${MARK}
      Local<Value> emit_argv[6] = {
        Nan::New<String>(packet_symbol),
        Nan::New<Number>(copy_len),
        Nan::New<Boolean>(truncated),
        Nan::New<Number>((double)pkt_hdr->ts.tv_sec),
        Nan::New<Number>((double)pkt_hdr->ts.tv_usec),
        Nan::New<Number>((double)pkt_hdr->len)
      };
      obj->async_res.runInAsyncScope(
        Nan::New<Object>(obj->persistent()),
        Nan::New<Function>(obj->Emit),
        6,
        emit_argv
      );`],
    [`    static void cb_packets(uv_poll_t* handle, int status, int events) {
      assert(status == 0);
      Pcap *obj = (Pcap*)handle->data;
      int packet_count;

      if (obj->closing)
        return obj->cleanup();
`,
    `    static void EmitError(Pcap* obj, const char* msg) {
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
    [`        } while (packet_count > 0 && !obj->closing);

        obj->handling_packets = false;
        if (obj->closing)
          obj->cleanup();
      }
    }
#endif`,
    `        } while (packet_count > 0 && !obj->closing);

        obj->handling_packets = false;
        if (obj->closing)
          return obj->cleanup();
        if (packet_count < 0 && packet_count != PCAP_ERROR_BREAK)
          return EmitError(obj, pcap_geterr(obj->pcap_handle));
      }
    }
#endif`],
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
