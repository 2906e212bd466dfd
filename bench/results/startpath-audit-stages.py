import json,collections,sys,statistics
from datetime import datetime
def ts(s): return datetime.fromisoformat(s.replace('Z','+00:00')).timestamp()
user=sys.argv[2]; prefix=sys.argv[3]
ev=collections.defaultdict(list)
for l in open(sys.argv[1]):
    e=json.loads(l)
    o=e['objectRef']; ns=o.get('namespace','')
    if not ns.startswith(prefix): continue
    code=e.get('responseStatus',{}).get('code',0)
    t=ts(e['requestReceivedTimestamp']); t2=ts(e['stageTimestamp'])
    u=e['user']['username']; r=o.get('resource'); sub=o.get('subresource'); name=o.get('name','')
    if r=='trainingjobs' and e['verb']=='create' and u=='admin':
        job=name or e['requestURI'].split('/')[-1]
        ev[(ns,job)].append(('apply',t2))
    elif u==user and r=='trainingjobs' and sub=='status':
        ev[(ns,name)].append(('status',t,t2,code))
    elif u==user and r=='services' and e['verb']=='create':
        ev[(ns,name)].append(('service',t,t2))
    elif r=='pods':
        job=name.rsplit('-r',1)[0] if '-r' in name else name
        if u==user and e['verb']=='create':
            ev[(ns,job)].append(('podcreate',t,t2))
        elif sub=='binding':
            ev[(ns,job)].append(('bind',t2))
        elif u=='kwok-controller' and sub=='status' and e['verb']=='patch':
            ev[(ns,job)].append(('kwok',t2))
    elif u==user and r=='events' and e['verb']=='create':
        pass
rows=[]
for k,v in sorted(ev.items()):
    d=collections.defaultdict(list)
    for x in v: d[x[0]].append(x)
    if 'apply' not in d or 'podcreate' not in d: continue
    a=d['apply'][0][1]
    st=sorted(d['status'],key=lambda x:x[1])
    first_status_start=st[0][1]-a if st else None
    first_status_end=st[0][2]-a if st else None
    pc=sorted(x[1] for x in d['podcreate']); pce=sorted(x[2] for x in d['podcreate'])
    svc=d['service'][0][1]-a if d['service'] else None
    bind=max(x[1] for x in d['bind'])-a if d['bind'] else None
    kw=max(x[1] for x in d['kwok'])-a if d['kwok'] else None
    rows.append((k[0],k[1],first_status_start,first_status_end,len(st),svc,pc[0]-a,pce[-1]-a,bind,kw))
print("ns job first_status_sent first_status_done n_status service_sent first_pod_sent last_pod_done last_bind last_kwok (s after apply)")
for r in rows: print(r[0],r[1],*[('%.2f'%x if isinstance(x,float) else x) for x in r[2:]])
for i,n in enumerate(['first_status_sent','first_status_done','n','service','first_pod_sent','last_pod_done','last_bind','last_kwok']):
    vals=[r[2+i] for r in rows if r[2+i] is not None]
    print(n,'median %.2f max %.2f'%(statistics.median(vals),max(vals)))
