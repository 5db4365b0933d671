// The engine's media settings from the environment, and what the media engine makes of them.
import t from 'tap';
import { loadConfig } from '../../engine/config.js';
import { MediaEngine } from '../../media/index.js';

t.test('media settings come from the environment', async (t) => {
  const c = loadConfig({ SWITCHYARD_MEDIA_THREADS: '2', SWITCHYARD_MEDIA_RT_PRIORITY: '20', SWITCHYARD_RTP_PORT_MIN: '31000' });
  t.equal(c.media.threads, 2);
  t.equal(c.media.realtimePriority, 20);
  t.equal(c.media.portMin, 31000);
  t.equal(loadConfig({}).media.realtimePriority, 0, 'ordinary scheduling unless asked');
  t.throws(() => loadConfig({ SWITCHYARD_MEDIA_RT_PRIORITY: 'high' }), /SWITCHYARD_MEDIA_RT_PRIORITY must be a non-negative number/);
});

t.test('a priority the kernel cannot have stops the start with the allowed range', async (t) => {
  const { media } = loadConfig({ SWITCHYARD_MEDIA_RT_PRIORITY: '150' });
  t.throws(
    () => new MediaEngine({ portMin: 31000, portMax: 31050, realtimePriority: media.realtimePriority }).start(),
    /realtimePriority/,
  );
});
