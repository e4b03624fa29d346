/** Taking a photo with getUserMedia: a live preview in a <video>, one frame drawn to a canvas on "Take". */
import { byId } from './dom';
import { t } from './i18n';

export interface CameraParts {
  onOpen(): void;
  onClose(): void;
  onPhoto(photo: Blob): void;
  onError(message: string): void;
}

export function setupCamera(parts: CameraParts): void {
  const video = byId<HTMLVideoElement>('camera-view');
  const start = byId<HTMLButtonElement>('camera-start');
  const shoot = byId<HTMLButtonElement>('camera-shoot');
  const stop = byId<HTMLButtonElement>('camera-stop');
  let stream: MediaStream | null = null;

  const close = () => {
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
    shoot.hidden = stop.hidden = true;
    start.hidden = false;
    parts.onClose();
  };

  start.addEventListener('click', async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      parts.onError(t('camera.none'));
      return;
    }
    try {
      // The back camera on phones; any camera elsewhere.
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (error) {
      const name = (error as DOMException).name;
      parts.onError(
        name === 'NotAllowedError' ? t('camera.refused')
          : name === 'NotFoundError' ? t('camera.notFound')
            : t('camera.failed', { name }),
      );
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play().catch(() => undefined);
    start.hidden = true;
    shoot.hidden = stop.hidden = false;
    parts.onOpen();
    shoot.focus();
  });

  shoot.addEventListener('click', () => {
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    close();
    canvas.toBlob((blob) => (blob ? parts.onPhoto(blob) : parts.onError(t('camera.photoFailed'))), 'image/jpeg', 0.92);
    start.focus();
  });

  stop.addEventListener('click', () => {
    close();
    start.focus();
  });
}
